"""吹哨 that cannot stall: only departments someone can receive a task in are offered and accepted;
the 催促 task names the late department; the coordinator can act for a department."""

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.org.models import Membership, Role
from app.workflow.models import HumanTask, TaskState
from tests.functional.test_case_file import can_sign_in, visible_text
from tests.helpers import sign_in
from tests.processes.conftest import Desk, local  # noqa: F401 - fixtures
from tests.processes.test_whistle import REPORT

NOTE = "请人社、住建到中心报到"


@pytest.fixture
def call(processes, org, clock):  # noqa: F811
    desk = Desk(org, clock)
    case = desk.open(category="requisition", title="征地补偿群体纠纷", people_count=25, amount=300000)
    return desk, case, desk.task(case, "whistle_call")


def test_only_staffed_departments_are_offered_and_accepted(client, no_csrf, org, call):  # noqa: F811
    desk, case, task = call  # no handlers: 住建局 has nobody, 人社局 has its demo user
    assert db.session.scalar(select(func.count()).select_from(Membership).where(
        Membership.department_id == org.department("housing").id)) == 0
    sign_in(client, "coordinator")
    client.post(f"/tasks/{task.id}/claim")
    page = client.get(f"/tasks/{task.id}").data.decode()
    assert 'name="departments" value="hrss"' in page and 'value="housing"' not in page
    response = client.post(f"/tasks/{task.id}/complete",
                           data={"departments": ["hrss", "housing"], "whistle_note": NOTE})
    body = visible_text(response.data.decode())
    assert response.status_code == 422 and "住建局目前没有可接收任务的人员" in body
    assert [t.bpmn_id for t in desk.tasks(case)] == ["whistle_call"]  # nothing half-written
    assert client.post(f"/tasks/{task.id}/complete", data={
        "departments": ["hrss"], "whistle_note": "请人社局到中心报到"}).status_code == 302
    assert [t.candidate_department_id for t in desk.tasks(case)] == [org.department("hrss").id]


def test_chase_names_the_late_department_and_the_coordinator_acts_for_it(
        client, no_csrf, org, clock, call, handlers):  # noqa: F811
    desk, case, task = call
    clock.set(local(2026, 3, 6, 15, 0))
    desk.do(task, "coordinator", {"departments": ["hrss", "housing"], "whistle_note": NOTE})
    desk.at(local(2026, 3, 10, 0, 0, 1))  # both missed the report-in deadline
    chases = sorted(t.title for t in desk.tasks(case) if t.bpmn_id == "supervise")
    assert chases == ["督办：催促部门报到（人社局）", "督办：催促部门报到（住建局）"]

    [late] = [t for t in desk.tasks(case)
              if t.bpmn_id == "late_report_in" and t.candidate_department_id == org.department("housing").id]
    sign_in(client, "coordinator")
    assert "代部门办理" in visible_text(client.get(f"/tasks/{late.id}").data.decode())
    refused = client.post(f"/tasks/{late.id}/act-for", data={"reason": ""})
    assert refused.status_code == 422 and "请填写理由" in refused.data.decode()
    db.session.expire_all()
    assert db.session.get(HumanTask, late.id).candidate_department_id == org.department("housing").id
    reason = "住建局承办人病休，由中心代为报到"
    assert client.post(f"/tasks/{late.id}/act-for", data={"reason": reason}).status_code == 302
    db.session.expire_all()
    taken = db.session.get(HumanTask, late.id)
    assert (taken.candidate_department_id, taken.candidate_role) == (None, Role.CENTER_COORDINATOR)
    assert client.post(f"/tasks/{late.id}/complete", data=REPORT).status_code == 302
    db.session.expire_all()
    assert db.session.get(HumanTask, late.id).state == TaskState.COMPLETED
    assert db.session.scalar(select(AuditEvent.summary).where(
        AuditEvent.action == "task.acted_for"))["reason"] == reason
    text = visible_text(client.get(f"/cases/{case.code}").data.decode())
    assert "代部门办理" in text and reason in text


def test_only_a_coordinator_acts_for_a_department(client, no_csrf, org, call, handlers):  # noqa: F811
    desk, case, task = call
    desk.do(task, "coordinator", {"departments": ["housing"], "whistle_note": "请住建局到中心报到"})
    [report] = desk.tasks(case)
    can_sign_in("housing", "住建局承办人")
    sign_in(client, "housing")
    assert client.post(f"/tasks/{report.id}/act-for", data={"reason": "我想代办"}).status_code == 403
