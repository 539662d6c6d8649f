"""退回上一步: the step before opens again (same task, same department or post), this one is
cancelled, the reason is on the reopened task and in the case file; refusals change nothing."""

import pytest

from app.audit.models import AuditEvent
from app.cases import history
from app.errors import ValidationFailed
from app.extensions import db
from app.inbox import actions
from app.unit_of_work import run_unit
from app.workflow.models import HumanTask, TaskState

FAILED = {"result": "failed", "summary": "双方分歧较大，本级无法化解"}
REASON = "当事人身份信息未核实，请网格员补充"


def send_back(desk, task, username, reason=REASON):
    actor = desk.org.actor(username)
    return run_unit(lambda: actions.return_to_previous(task.id, reason, actor=actor, clock=desk.clock))


def test_the_village_sends_the_case_back_to_the_grid_worker(desk, org, clock):
    case = desk.open()
    grid = desk.task(case, "level_mediation")
    desk.do(grid, "grid", FAILED)
    village = desk.task(case, "level_mediation")
    assert desk.case(case.code).level == "村（社区）调委会调解"

    send_back(desk, village, "village")
    db.session.expire_all()
    assert db.session.get(HumanTask, village.id).state == TaskState.CANCELLED
    [again] = desk.tasks(case)
    assert again.id == grid.id and again.state == TaskState.READY
    assert (again.candidate_org_unit_id, again.candidate_role) == (grid.candidate_org_unit_id,
                                                                   grid.candidate_role)
    assert again.assignee_id is None and again.completed_at is None
    assert desk.case(case.code).level == "网格员首调"
    [event] = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "task.sent_back"))
    assert (event.task_id, event.summary["from_task"]) == (grid.id, village.id)
    assert event.summary["reason"] == REASON
    [shown] = history.task_actions(again)
    assert shown.title == "退回上一步" and REASON in shown.body and "本级调解（网格员）" in shown.body

    desk.do(again, "grid", FAILED)  # the grid worker handles it again; the ladder goes on
    [next_village] = desk.tasks(case)
    assert next_village.id != village.id and next_village.lane == "村调委会"


def test_a_send_back_without_reason_or_without_a_step_before_changes_nothing(desk, org, clock):
    case = desk.open()
    grid = desk.task(case, "level_mediation")
    with pytest.raises(ValidationFailed) as failed:
        send_back(desk, grid, "grid", reason="")
    assert "reason" in failed.value.errors
    with pytest.raises(ValidationFailed) as failed:
        send_back(desk, grid, "grid")
    assert failed.value.errors == {"reason": ["该任务之前没有可退回的办理环节"]}
    desk.do(grid, "grid", FAILED)
    village = desk.task(case, "level_mediation")
    with pytest.raises(ValidationFailed):
        send_back(desk, village, "village", reason="短")
    db.session.expire_all()
    assert [t.id for t in desk.tasks(case)] == [village.id]
    assert db.session.get(HumanTask, grid.id).state == TaskState.COMPLETED
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "task.sent_back")) is None
