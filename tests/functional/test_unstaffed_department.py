"""A department that loses its staff cannot stall a case: removing a membership, disabling a user
and rotating a department out share one function (app/inbox/staffing.py) that gives back what the
person held and, when nobody is left to receive the department's tasks, moves them to the center
coordinators — audited and shown on the task and in the case file."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.inbox import actions
from app.org.models import Membership, Role, User
from app.unit_of_work import run_unit
from app.workflow.models import HumanTask
from tests.functional.test_case_file import can_sign_in, visible_text
from tests.functional.test_task_actions import labour  # noqa: F401 - fixtures
from tests.helpers import sign_in
from tests.processes.conftest import Desk  # noqa: F401 - fixtures

MOVED = "因部门无人接收"


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def _moved_to_the_coordinators(task_id: str) -> bool:
    db.session.expire_all()
    task = db.session.get(HumanTask, task_id)
    return (task.candidate_department_id, task.candidate_role, task.assignee_id) == (
        None, Role.CENTER_COORDINATOR, None)


def _rehomed() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "task.rehomed"))


def test_disabling_the_only_handler_moves_the_task_to_the_coordinator(
        client, no_csrf, org, labour):  # noqa: F811
    case, task = labour
    sign_in(client, "hrss")
    client.post(f"/tasks/{task.id}/claim")  # 周人社 holds it, and is 人社局's only member
    sign_in(client, "admin")
    assert client.post(f"/admin/users/{_user('hrss').id}/active", data={"active": "0"}).status_code == 302
    assert _moved_to_the_coordinators(task.id) and _rehomed() == 1
    sign_in(client, "coordinator")
    assert task.id in client.get("/").data.decode()
    page = visible_text(client.get(f"/tasks/{task.id}").data.decode())
    assert MOVED in page and "人社局已无可接收任务的人员" in page and "账号已停用" in page
    assert MOVED in visible_text(client.get(f"/cases/{case.code}").data.decode())
    assert "无人接收改派" in visible_text(client.get(f"/cases/{case.code}").data.decode())


def test_removing_one_of_two_members_gives_back_what_they_held(
        client, no_csrf, org, clock, labour):  # noqa: F811
    _case, task = labour
    sign_in(client, "hrss")
    client.post(f"/tasks/{task.id}/claim")

    def second():
        user = User(username="hrss2", display_name="吴人社", created_at=clock.now(), password_hash="-")
        db.session.add(user)
        db.session.flush()
        db.session.add(Membership(user_id=user.id, department_id=org.department("hrss").id,
                                  role=Role.HANDLER))
    run_unit(second)
    hrss = _user("hrss")
    [membership] = [m for m in hrss.memberships if m.department_id == org.department("hrss").id]
    sign_in(client, "admin")
    assert client.post(f"/admin/users/{hrss.id}/memberships/{membership.id}/remove").status_code == 302
    db.session.expire_all()
    kept = db.session.get(HumanTask, task.id)
    assert (kept.candidate_department_id, kept.assignee_id) == (org.department("hrss").id, None)
    assert _rehomed() == 0  # 吴人社 is still there to receive it
    can_sign_in("hrss2")
    sign_in(client, "hrss2")
    assert client.post(f"/tasks/{task.id}/claim").status_code == 302


def test_rotating_out_moves_what_nobody_holds(client, no_csrf, org, clock, labour, handlers):  # noqa: F811
    _case, task = labour
    health = org.department("health")  # 卫健局, 轮驻
    run_unit(lambda: actions.transfer_task(task.id, health.id, "属医疗纠纷，转卫健局",
                                           actor=org.actor("coordinator"), clock=clock))
    sign_in(client, "admin")
    today = clock.now().date()
    assert client.post(f"/admin/departments/{health.id}/periods",
                       data={"starts_on": str(today - timedelta(days=10))}).status_code == 302
    ask = client.post(f"/admin/departments/{health.id}/rotate-out")
    assert "尚未认领的 1 项因部门无人接收，转由综治中心调度办理" in ask.data.decode()
    assert client.post(f"/admin/departments/{health.id}/rotate-out",
                       data={"confirmed": "1"}).status_code == 302
    assert _moved_to_the_coordinators(task.id) and _rehomed() == 1
    assert "部门已轮出综治中心" in db.session.scalar(select(AuditEvent.summary).where(
        AuditEvent.action == "task.rehomed"))["reason"]


@pytest.fixture
def whistle_call(processes, org, clock):  # noqa: F811
    desk = Desk(org, clock)
    case = desk.open(category="requisition", title="征地补偿群体纠纷", people_count=25, amount=300000)
    return desk.task(case, "whistle_call")


def test_the_whistle_stops_offering_a_department_once_its_handler_is_disabled(
        client, no_csrf, org, whistle_call):
    sign_in(client, "coordinator")
    client.post(f"/tasks/{whistle_call.id}/claim")
    assert 'name="departments" value="hrss"' in client.get(f"/tasks/{whistle_call.id}").data.decode()
    sign_in(client, "admin")
    client.post(f"/admin/users/{_user('hrss').id}/active", data={"active": "0"})
    sign_in(client, "coordinator")
    assert 'value="hrss"' not in client.get(f"/tasks/{whistle_call.id}").data.decode()
    refused = client.post(f"/tasks/{whistle_call.id}/complete",
                          data={"departments": ["hrss"], "whistle_note": "请人社局到中心报到"})
    assert refused.status_code == 422
    assert "人社局目前没有可接收任务的人员" in visible_text(refused.data.decode())
