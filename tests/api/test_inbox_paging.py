"""Inbox paging: the asked tab's total is read off its last page (no count statement), counted
when the page is full, and a page past the end shows the last one — the same totals either way."""

import pytest

from app.inbox import queries
from tests.api.conftest import case_body
from tests.api.test_instances import statements


@pytest.fixture
def five_grid_tasks(make_key, make_user, monkeypatch):
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    for _ in range(5):
        assert make_key().post("/api/v1/cases", json=case_body()).status_code == 201
    return make_user("grid")


def _page(grid, number: int, counts: bool = False) -> dict:
    answer = grid.get(f"/api/v1/tasks?tab=todo&page={number}&counts={str(counts).lower()}")
    assert answer.status_code == 200, answer.json
    return answer.json


@pytest.mark.usefixtures("processes")
def test_every_page_tells_the_same_total(five_grid_tasks):
    pages = {number: _page(five_grid_tasks, number) for number in (1, 2, 3)}
    assert [len(pages[n]["items"]) for n in (1, 2, 3)] == [2, 2, 1]
    assert {(p["total"], p["pages"]) for p in pages.values()} == {(5, 3)}
    seen = [item["id"] for n in (1, 2, 3) for item in pages[n]["items"]]
    assert len(set(seen)) == 5  # no task twice, none left out


@pytest.mark.usefixtures("processes")
def test_a_page_past_the_end_shows_the_last_page(five_grid_tasks):
    late = _page(five_grid_tasks, 9)
    assert (late["page"], late["pages"], late["total"]) == (3, 3, 5)
    last = _page(five_grid_tasks, 3)
    assert [item["id"] for item in late["items"]] == [item["id"] for item in last["items"]]


@pytest.mark.usefixtures("processes")
def test_the_counts_agree_with_the_totals(five_grid_tasks):
    counted = _page(five_grid_tasks, 3, counts=True)
    assert counted["counts"]["todo"] == counted["total"] == 5
    assert set(counted["counts"]) == {"todo", "mine", "due", "done"}


@pytest.mark.usefixtures("processes")
def test_the_last_page_costs_no_count(five_grid_tasks, fresh_process):
    if fresh_process:
        pytest.skip("statement counts are measured with warm caches")
    _page(five_grid_tasks, 3)
    with statements() as sent:
        _page(five_grid_tasks, 3)
    assert not [s for s in sent if "count(" in s.lower()], sent
    with statements() as sent:
        _page(five_grid_tasks, 1)  # a full page: the total needs its count
    assert len([s for s in sent if "count(" in s.lower()]) == 1, sent
