"""Starting a deployed process by id, completing with an implicit claim, a list without counts —
and the SQL statements each of these hot paths costs (stable across machines, unlike time)."""

from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event, select

from app.extensions import db
from app.unit_of_work import run_unit
from app.workflow.deploy import deploy_files, read_directories
from app.workflow.models import HumanTask, ProcessInstance, TaskState

BENCH = Path(__file__).resolve().parents[2] / "bench"
START = "/api/v1/processes/five_tasks/instances"
TOWNSHIP = "zy-1-1"  # 梁家墩镇: the demo clerk's township


@pytest.fixture
def five_tasks(app, org, clock):
    """The benchmark's five-step process deployed (lane 综合受理)."""
    files = read_directories(BENCH / "processes", BENCH / "forms")
    run_unit(lambda: deploy_files(files, now=clock.now(), known_lanes=["综合受理"]))


@contextmanager
def statements():
    """Collect the SQL statements sent while the block runs."""
    sent: list[str] = []

    def note(_conn, _cursor, statement, *_):
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def _start(caller, **body):
    return caller.post(START, json={"org_unit": TOWNSHIP, **body})


def test_clerk_starts_by_id_and_works_five_steps_in_one_call_each(five_tasks, make_user):
    clerk = make_user("clerk")
    started = _start(clerk, business_key="five-1")
    assert started.status_code == 201, started.json
    assert started.json["business_key"] == "five-1" and started.json["status"] == "running"
    [task_id] = started.json["open_task_ids"]
    for step in range(5):
        done = clerk.post(f"/api/v1/tasks/{task_id}/complete",
                          json={"claim": True, "data": {"note": f"第{step + 1}步"}})
        assert done.status_code == 200, done.json
        page = clerk.get("/api/v1/tasks?tab=todo&counts=false").json
        assert set(page["counts"]) == {"todo"}
        mine = [item["id"] for item in page["items"] if item["business_key"] == "five-1"]
        if step < 4:
            [task_id] = mine
        else:
            assert mine == []
    instance = db.session.scalar(select(ProcessInstance).where(ProcessInstance.business_key == "five-1"))
    assert instance.status.value == "completed"


def test_start_follows_the_intake_rule(five_tasks, make_user):
    # a mediator, a grid worker and a supervisor may not open work; a clerk may not elsewhere
    for username in ("mediator", "grid", "supervisor"):
        assert _start(make_user(username)).status_code == 403, username
    elsewhere = make_user("clerk").post(START, json={"org_unit": "zy-2"})
    assert elsewhere.status_code == 403
    assert db.session.scalar(select(db.func.count()).select_from(ProcessInstance)) == 0


@pytest.mark.parametrize(("body", "path"), [
    ({"org_unit": "nowhere"}, "org_unit"),
    ({"org_unit": TOWNSHIP, "data": {"nested": {"a": 1}}}, "data.nested"),
    ({"org_unit": TOWNSHIP, "data": {"business_key": "x"}}, "data.business_key"),
    ({"org_unit": TOWNSHIP, "data": {"text": "长" * 5000}}, "data.text"),
    ({"org_unit": TOWNSHIP, "business_key": "有空格 的键"}, "business_key"),
])
def test_bad_start_data_is_refused_with_its_path(five_tasks, make_user, body, path):
    answer = make_user("clerk").post(START, json=body)
    assert answer.status_code == 422, answer.json
    assert path in answer.json["errors"]
    assert db.session.scalar(select(db.func.count()).select_from(ProcessInstance)) == 0


def test_unknown_process_and_reused_business_key(five_tasks, make_user):
    clerk = make_user("clerk")
    assert clerk.post("/api/v1/processes/no_such/instances", json={"org_unit": TOWNSHIP}).status_code == 404
    assert _start(clerk, business_key="same").status_code == 201
    again = _start(clerk, business_key="same")
    assert again.status_code == 422 and "business_key" in again.json["errors"]


def test_implicit_claim_does_not_take_a_task_someone_else_holds(five_tasks, make_user, org):
    clerk = make_user("clerk")
    [task_id] = _start(clerk).json["open_task_ids"]
    assert clerk.post(f"/api/v1/tasks/{task_id}/claim").status_code == 200
    # without claim a task not yet claimed is refused, as before
    [other] = _start(clerk).json["open_task_ids"]
    refused = clerk.post(f"/api/v1/tasks/{other}/complete", json={"data": {"note": "x"}})
    assert refused.status_code == 409
    assert db.session.get(HumanTask, other).state is TaskState.READY


def test_statements_per_hot_path(five_tasks, make_user, fresh_process):
    """Counts, not times: a regression in the number of round trips shows on any machine.
    The bounds are today's counts; lower them as the hot paths get leaner (issue 19's goal
    for a completion is 6 on PostgreSQL). A warm worker's counts: not in --fresh-process mode,
    which re-reads every cache on purpose."""
    if fresh_process:
        pytest.skip("statement counts are measured with warm caches, not in --fresh-process mode")
    clerk = make_user("clerk")
    _start(clerk)  # caches (specs, lanes, calendar) warm, as in a running worker
    with statements() as start_sql:
        [task_id] = _start(clerk).json["open_task_ids"]
    with statements() as list_sql:
        clerk.get("/api/v1/tasks?tab=todo&counts=false")
    with statements() as full_list_sql:
        clerk.get("/api/v1/tasks?tab=todo")
    with statements() as complete_sql:
        assert clerk.post(f"/api/v1/tasks/{task_id}/complete",
                          json={"claim": True, "data": {"note": "办结"}}).status_code == 200
    assert len(list_sql) < len(full_list_sql), "skipping the counts must save statements"
    assert len(full_list_sql) - len(list_sql) == 3  # the three other tabs' counts
    budget = BUDGETS[db.engine.dialect.name]
    assert len(start_sql) <= budget["start"], start_sql
    assert len(complete_sql) <= budget["complete"], complete_sql
    assert len(list_sql) <= budget["list"], list_sql


# Statements sent with a personal token (token, user and memberships in one SELECT), per
# database: one more than these fails. The COMMIT is not counted (it is no cursor statement).
# A completion with `claim: true` on PostgreSQL: token+actor, task+instance (one SELECT),
# the task row (claim and completion in one conditional UPDATE), the audit events (one
# multi-row INSERT), the instance (version-checked UPDATE), the next task (INSERT) — issue 19's
# goal of ≤ 6 with the COMMIT for the service's own part. The audit events of a unit go in one
# Core INSERT on both databases (app.audit.services). History: start 13 → 11 → 10 → 8 (one
# audit INSERT, no read-back of the open tasks), complete 15 → 12 → 8 (SQLite) / 6 (PostgreSQL)
# → 6 on both, list 5 → 4 → 3 → 2 (token+actor and the page: a last page gives its tab's total
# without a count).
BUDGETS = {"sqlite": {"start": 8, "complete": 6, "list": 2},
           "postgresql": {"start": 8, "complete": 6, "list": 2}}
