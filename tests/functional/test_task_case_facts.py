"""Case facts copied onto task rows (app.cases.taskfacts): set on new tasks, kept in step with the
case by the services that change it, and what the inbox filters and the overdue list read."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.cases import services as cases
from app.cases.models import Case, RiskTier
from app.clock import FrozenClock
from app.extensions import db
from app.unit_of_work import run_unit
from app.workflow import services
from app.workflow.models import HumanTask, ProcessInstance, TaskState
from tests.helpers import sign_in
from tests.processes.conftest import GRID, Desk, resolved  # noqa: F401 - fixture


@pytest.fixture
def desk(processes, org, clock):  # noqa: F811 - the imported fixture
    return Desk(org, clock)


def _facts(task: HumanTask) -> tuple:
    return (task.case_org_unit_id, task.case_category, task.case_risk_tier, task.case_channel,
            task.case_level)


def test_a_new_task_takes_the_facts_of_its_case(desk, org):
    case = desk.open(category="consumer", risk_tier="yellow", channel="walk_in")
    [task] = desk.tasks(case)
    assert _facts(task) == (org.unit(GRID).id, "consumer", RiskTier.YELLOW, "walk_in", case.level)


def test_a_changed_risk_tier_follows_onto_open_and_done_tasks(desk, org, clock):
    case = desk.open(category="consumer", risk_tier="yellow")
    [first] = desk.tasks(case)
    desk.do(first, "mediator", resolved())
    run_unit(lambda: cases.change_risk_tier(case.code, "orange", clock=clock, actor=org.actor("mediator")))
    db.session.expire_all()
    rows = db.session.scalars(select(HumanTask).where(HumanTask.business_key == case.code)).all()
    assert {row.state for row in rows} >= {TaskState.COMPLETED}
    assert {row.case_risk_tier for row in rows} == {RiskTier.ORANGE}


def test_raising_to_red_stamps_the_alert_task_too(desk, org, clock):
    case = desk.open(category="labour", risk_tier="blue")
    run_unit(lambda: cases.change_risk_tier(case.code, "red", clock=clock, actor=org.actor("mediator")))
    alert = [t for t in desk.tasks(case) if t.process_id == "risk_alert"]
    assert alert and all(t.case_risk_tier == RiskTier.RED and t.case_category == "labour" for t in alert)


def test_a_level_change_by_the_process_follows_onto_the_tasks(desk, clock):
    case = desk.open()
    run_unit(lambda: _set_level(case.code, "乡镇综治中心调解"))
    assert {t.case_level for t in desk.tasks(case)} == {"乡镇综治中心调解"}


def _set_level(code: str, level: str) -> None:  # as the dispute process's data moves it
    case = db.session.scalar(select(Case).where(Case.code == code))
    cases.on_instance_synced(db.session.get(ProcessInstance, case.instance_id), {"level_name": level},
                             FrozenClock(case.updated_at))
    db.session.flush()


def test_tasks_without_a_case_keep_nulls(deployed, org, clock):
    instance = run_unit(lambda: services.start_instance(
        "two_step", business_key="NOT-A-CASE", org_unit_id=org.unit(GRID).id, data={}, clock=clock))
    task = db.session.scalar(select(HumanTask).where(HumanTask.instance_id == instance.id))
    assert _facts(task) == (None, None, None, None, None)


def test_inbox_filters_read_the_task_row(client, no_csrf, desk, clock):
    case = desk.open(category="consumer", risk_tier="yellow", channel="walk_in", title="网购家电退货纠纷")
    sign_in(client, "mediator")
    assert case.code in client.get("/?category=consumer&risk_tier=yellow").data.decode()
    run_unit(lambda: cases.change_risk_tier(case.code, "orange", clock=clock))
    assert case.code not in client.get("/?category=consumer&risk_tier=yellow").data.decode()
    assert case.code in client.get("/?category=consumer&risk_tier=orange").data.decode()
    assert case.code in client.get("/?q=退货").data.decode()  # the search still reads the case title


def test_overdue_list_scopes_and_filters_by_the_task_row(client, no_csrf, desk, clock):
    case = desk.open(category="consumer", risk_tier="yellow")
    [task] = desk.tasks(case)
    run_unit(lambda: db.session.execute(update(HumanTask).where(HumanTask.id == task.id)
                                        .values(due_at=clock.now() - timedelta(days=3))))
    sign_in(client, "supervisor")
    assert case.code in client.get("/supervision/overdue").data.decode()
    assert case.code in client.get("/supervision/overdue?category=consumer&sort=code").data.decode()
    assert case.code not in client.get("/supervision/overdue?category=labour").data.decode()
    assert case.code in client.get("/supervision/overdue?sort=received&descending=true").data.decode()
