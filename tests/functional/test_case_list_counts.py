"""The case list counts up to COUNT_LIMIT ("N+ 件"), and looks a code-shaped search up by code alone."""

import pytest

from app.cases import listing
from tests.helpers import sign_in
from tests.processes.conftest import Desk  # noqa: F401 - fixture


@pytest.fixture
def three(processes, org, clock):  # noqa: F811 - the imported fixture
    desk = Desk(org, clock)
    return [desk.open(title=f"邻里排水纠纷{n}") for n in range(3)]


def test_total_is_capped_and_says_so(client, no_csrf, three, monkeypatch):
    monkeypatch.setattr(listing, "COUNT_LIMIT", 2)
    monkeypatch.setattr(listing, "PAGE_SIZE", 1)
    sign_in(client, "clerk")
    body = client.get("/cases/").data.decode()
    assert "共 2+ 件，第 1/2 页" in body
    assert three[-1].code in body  # newest first
    assert "共 1 件" in client.get("/cases/?q=邻里排水纠纷0").data.decode()


def test_code_shaped_search_finds_the_case_by_code(client, no_csrf, three):
    sign_in(client, "clerk")
    body = client.get(f"/cases/?q={three[1].code.lower()}").data.decode()
    assert three[1].code in body and three[0].code not in body and "共 1 件" in body
    body = client.get("/cases/?q=张三").data.decode()  # a party's name
    assert all(case.code in body for case in three)
