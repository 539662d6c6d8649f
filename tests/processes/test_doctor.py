"""`flask doctor` and the worker's periodic check: stuck and inconsistent instances are named."""

import pytest
from sqlalchemy import delete, select, update

from app.extensions import db
from app.org.demo import DEMO_PASSWORD
from app.unit_of_work import run_unit
from app.workflow import doctor, engine, registry, worker
from app.workflow.models import HumanTask, InstanceFinding, Problem, ProcessInstance, TaskState
from tests.processes.test_whistle import REPORT


def _doctor(runner):
    db.session.expire_all()
    return runner.invoke(args=["doctor"])


def test_a_healthy_database_passes(desk, runner):
    desk.open()
    result = _doctor(runner)
    assert result.exit_code == 0, result.output
    assert "所有流程实例一致" in result.output


def test_an_instance_whose_task_rows_were_deleted_is_named_and_the_exit_is_non_zero(desk, runner):
    case = desk.open()
    other = desk.open(title="另一起纠纷")
    instance_id = desk.instance(case).id
    run_unit(lambda: db.session.execute(delete(HumanTask).where(HumanTask.instance_id == instance_id)))

    result = _doctor(runner)
    assert result.exit_code == 1
    [line] = [line for line in result.output.splitlines() if case.code in line]
    assert instance_id in line and "待办任务记录与流程状态不一致（流程中 1 项，记录 0 项）" in line
    assert other.code not in result.output


@pytest.mark.changes_specs
def test_a_lost_multi_instance_merge_is_found_as_stuck(desk, org, runner, handlers, monkeypatch):
    # Fault 1 as it was: the merge hooked only by the process that created the children.
    monkeypatch.setattr(engine, "_connect_loop_merges", lambda spec: None)
    case = desk.open(category="requisition", title="征地补偿群体纠纷", people_count=25, amount=300000)
    [call] = desk.tasks(case)
    desk.do(call, "coordinator", {"departments": ["hrss"], "whistle_note": "请到中心报到"})
    registry.clear()
    [report] = desk.tasks(case)
    desk.do(report, "hrss", REPORT)
    registry.clear()
    [opinion] = desk.tasks(case)
    desk.do(opinion, "hrss", {"opinion": "核实补偿标准并出具说明"})
    assert desk.tasks(case) == []  # nothing open, no timer, no message: stuck for ever

    result = _doctor(runner)
    assert result.exit_code == 1
    [line] = [line for line in result.output.splitlines() if "流程停滞" in line]
    assert case.code in line and "（停在：中心吹哨、部门报到" in line


def _sign_in(client, username):
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_the_worker_puts_a_stuck_instance_in_front_of_the_coordinator(app, desk, client, clock):
    app.config["WTF_CSRF_ENABLED"] = False
    case = desk.open()
    instance_id = desk.instance(case).id
    def break_it():  # no open task row and no timer row: by its rows, nothing can move it
        db.session.execute(update(HumanTask).where(HumanTask.instance_id == instance_id)
                           .values(state=TaskState.CANCELLED))
        db.session.execute(update(ProcessInstance).where(ProcessInstance.id == instance_id)
                           .values(next_timer_at=None))
    run_unit(break_it)
    assert worker.run_jobs(clock, force=True) >= 1

    problems = {row.problem for row in db.session.scalars(select(InstanceFinding))}
    assert problems == {Problem.STUCK, Problem.TASKS_DIFFER, Problem.TIMER_DIFFERS}
    ready = client.get("/readyz").json
    assert ready["status"] == "ok" and ready["doctor"] == {"findings": 3, "instances": [case.code]}

    _sign_in(client, "coordinator")  # 甘州区综治中心调度: the case lies in 甘州区
    page = client.get("/notifications").data.decode()
    assert "流程异常" in page and f"{case.code}：流程停滞" in page
    client.get("/logout")
    _sign_in(client, "grid")  # a grid worker is not the coordinator
    assert "流程异常" not in client.get("/notifications").data.decode()


def test_a_finding_is_cleared_when_a_later_check_finds_the_instance_healthy(desk, clock):
    case = desk.open()
    instance_id = desk.instance(case).id
    armed = desk.instance(case).next_timer_at
    assert armed is not None  # the mediation task's deadline timer

    run_unit(lambda: db.session.execute(update(ProcessInstance).where(ProcessInstance.id == instance_id)
                                        .values(next_timer_at=None)))
    findings = run_unit(lambda: doctor.examine(clock.now()))
    assert [(f.business_key, f.problem) for f in findings] == [(case.code, Problem.TIMER_DIFFERS)]

    run_unit(lambda: db.session.execute(update(ProcessInstance).where(ProcessInstance.id == instance_id)
                                        .values(next_timer_at=armed)))
    assert run_unit(lambda: doctor.examine(clock.now())) == []
    assert db.session.scalars(select(InstanceFinding)).all() == []
