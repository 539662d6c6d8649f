"""SQL statements per hot path beyond the API's start/complete/list (tests/api/test_instances.py):
an API claim, a timer firing, and the web inbox page. Counts are stable across machines; the
budgets are today's counts per database: one statement more fails — lower them as paths get leaner."""

from datetime import datetime

import pytest
from sqlalchemy import select

from app.extensions import db
from app.unit_of_work import run_unit
from app.workflow import services
from app.workflow.models import HumanTask, TaskState
from tests.api.conftest import case_body
from tests.api.test_instances import statements
from tests.conftest import SHANGHAI
from tests.helpers import sign_in

PAST_DEADLINE = datetime(2026, 3, 6, 12, 0, tzinfo=SHANGHAI)
# claim: token+user+memberships (one SELECT), task, conditional UPDATE, audit (was 5).
CLAIM_BUDGET = {"sqlite": 4, "postgresql": 4}
# timer: lock, instance, task rows, writes; the audit events in one INSERT (was 9 / 7, 8 / 6).
TIMER_BUDGET = {"sqlite": 6, "postgresql": 6}
# inbox page: user, actor, notifications, the page of tasks, the three other tabs' counts (the
# asked tab's total comes off its last page), 转办待审批 marks …
INBOX_BUDGET = {"sqlite": 10, "postgresql": 10}


def _budget(budgets: dict[str, int]) -> int:
    return budgets[db.engine.dialect.name]


@pytest.fixture(autouse=True)
def _warm_worker_only(fresh_process):
    """The budgets are a warm worker's counts; `--fresh-process` re-reads every cache on purpose."""
    if fresh_process:
        pytest.skip("statement counts are measured with warm caches, not in --fresh-process mode")


def _grid_task(make_key, make_user):
    make_key().post("/api/v1/cases", json=case_body())
    grid = make_user("grid")
    [task] = grid.get("/api/v1/tasks").json["items"]
    return grid, task


@pytest.mark.usefixtures("processes")
def test_an_api_claim(make_key, make_user):
    grid, task = _grid_task(make_key, make_user)
    with statements() as sent:
        assert grid.post(f"/api/v1/tasks/{task['id']}/claim").json["claimed"] is True
    assert len(sent) <= _budget(CLAIM_BUDGET), sent


def test_a_timer_firing(deployed, org, clock):
    unit_id = org.unit("zy-1-1-1-1").id
    warm, started = (run_unit(lambda n=n: services.start_instance(
        "two_step", business_key=f"ZY-T-{n}", org_unit_id=unit_id, data={}, clock=clock)).id
        for n in (1, 2))
    db.session.expunge_all()
    clock.set(PAST_DEADLINE)
    assert run_unit(lambda: services.fire_timers(warm, clock=clock))  # caches warm, as in a worker
    db.session.expunge_all()
    with statements() as sent:
        assert run_unit(lambda: services.fire_timers(started, clock=clock))
    states = dict(db.session.execute(select(HumanTask.bpmn_id, HumanTask.state)
                                     .where(HumanTask.instance_id == started)).all())
    assert states == {"mediate": TaskState.CANCELLED, "escalated": TaskState.READY}
    assert len(sent) <= _budget(TIMER_BUDGET), sent


@pytest.mark.usefixtures("processes")
def test_the_web_inbox_page(make_key, app, client):
    app.config["WTF_CSRF_ENABLED"] = False
    for _ in range(3):
        make_key().post("/api/v1/cases", json=case_body())
    sign_in(client, "grid")
    client.get("/")  # caches warm, as in a running worker
    with statements() as sent:
        page = client.get("/")
    assert page.status_code == 200 and page.data.decode().count('href="/tasks/') >= 3
    assert len(sent) <= _budget(INBOX_BUDGET), sent
