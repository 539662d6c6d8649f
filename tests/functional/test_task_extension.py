"""延期申请: the holder asks, a coordinator over the case's area decides; a grant moves the task's
deadline, the instance's timer index and the engine's boundary timer; the caps refuse at the field."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.inbox import extend
from app.inbox.models import ExtensionState, TaskExtension
from app.unit_of_work import run_unit
from app.workflow import services
from app.workflow.models import HumanTask, ProcessInstance, TaskState
from tests.conftest import SHANGHAI as LOCAL
from tests.functional.test_case_file import visible_text
from tests.functional.test_task_actions import labour  # noqa: F401 - fixtures
from tests.helpers import sign_in
from tests.processes.conftest import Desk  # noqa: F401 - fixtures


def _day(moment, days: int) -> str:
    return (moment.astimezone(LOCAL) + timedelta(days=days)).date().isoformat()


def _claimed(client, task):
    sign_in(client, "hrss")
    client.post(f"/tasks/{task.id}/claim")
    db.session.expire_all()
    return db.session.get(HumanTask, task.id)


def test_granted_extension_moves_the_deadline_and_the_timer(client, no_csrf, org, clock, labour):  # noqa: F811
    case, task = labour
    task = _claimed(client, task)
    old_due = task.due_at
    assert old_due is not None and db.session.get(ProcessInstance, task.instance_id).next_timer_at == old_due
    page = visible_text(client.get(f"/tasks/{task.id}").data.decode())
    assert "申请延期" in page and f"不得超过 {extend.cap_days(task)} 日" in page
    reason = "当事人住院治疗，需待其出院后再组织调解"
    data = {"new_due": _day(old_due, 3), "reason": reason}
    response = client.post(f"/tasks/{task.id}/extension", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).due_at == old_due  # nothing moves before the decision

    sign_in(client, "coordinator")
    page = visible_text(client.get(f"/tasks/{task.id}").data.decode())
    assert "延期申请（待审批）" in page and reason in page and "批准延期" in page
    assert client.post(f"/tasks/{task.id}/extension/decision",
                       data={"decision": "grant", "reason": "同意，请抓紧组织调解"}).status_code == 302
    db.session.expire_all()
    moved = db.session.get(HumanTask, task.id)
    assert moved.due_at == old_due + timedelta(days=3)
    assert db.session.get(ProcessInstance, task.instance_id).next_timer_at == moved.due_at
    desk = Desk(org, clock)
    desk.at(old_due + timedelta(minutes=1))  # the old deadline passes: the task stays open
    # even when the engine is asked directly (the armed timer itself was moved, not only the index)
    run_unit(lambda: services.fire_timers(task.instance_id, clock=clock, claimed=True))
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).state == TaskState.READY
    desk.at(moved.due_at + timedelta(minutes=1))  # the new one fires the boundary timer
    db.session.expire_all()
    closed = db.session.get(HumanTask, task.id)
    assert (closed.state, closed.timed_out) == (TaskState.CANCELLED, True)
    text = visible_text(client.get(f"/cases/{case.code}").data.decode())
    assert "延期申请" in text and "延期审批" in text and "批准延期至" in text
    assert moved.due_at.astimezone(LOCAL).strftime("%Y年%m月%d日") in text


@pytest.mark.parametrize(("days", "reason", "field", "message"), [
    (400, "当事人外出务工无法联系", "new_due", "延长期限不得超过"),
    (-1, "当事人外出务工无法联系", "new_due", "新的办理期限须晚于原期限"),
    (2, "", "reason", "请填写理由"),
    (None, "当事人外出务工无法联系", "new_due", "请选择新的办理期限")])
def test_refusals_at_the_field_write_nothing(client, no_csrf, labour, days, reason, field, message):  # noqa: F811
    _case, task = labour
    task = _claimed(client, task)
    new_due = _day(task.due_at, days) if days is not None else ""
    response = client.post(f"/tasks/{task.id}/extension", data={"new_due": new_due, "reason": reason})
    body = response.data.decode()
    assert response.status_code == 422 and message in body and 'id="extend"' in body
    assert db.session.scalar(select(func.count()).select_from(TaskExtension)) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action.like("task.extension%"))) == 0


def test_once_only_and_only_the_coordinator_decides(client, no_csrf, labour):  # noqa: F811
    _case, task = labour
    task = _claimed(client, task)
    data = {"new_due": _day(task.due_at, 1), "reason": "等待鉴定结论"}
    assert client.post(f"/tasks/{task.id}/extension", data=data).status_code == 302
    again = client.post(f"/tasks/{task.id}/extension", data=data)
    assert again.status_code == 422 and "该任务已申请过延期" in again.data.decode()
    assert client.post(f"/tasks/{task.id}/extension/decision",  # the holder cannot approve it
                       data={"decision": "grant", "reason": "自己批准"}).status_code == 403
    sign_in(client, "coordinator")
    refused = client.post(f"/tasks/{task.id}/extension/decision", data={"decision": "refuse", "reason": ""})
    assert refused.status_code == 422 and "请填写理由" in refused.data.decode()
    assert client.post(f"/tasks/{task.id}/extension/decision",
                       data={"decision": "refuse", "reason": "期限内可以完成"}).status_code == 302
    db.session.expire_all()
    [row] = db.session.scalars(select(TaskExtension)).all()
    assert row.state == ExtensionState.REFUSED
    assert db.session.get(HumanTask, task.id).due_at == row.previous_due_at


def test_petition_handling_is_capped_at_thirty_days():
    task = HumanTask(form_key="petition_handle.json")
    assert extend.cap_days(task) == 30
