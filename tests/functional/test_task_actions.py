"""转办: a department hands a misrouted task to another department of the case's area, with a
reason; refusals name the field and change nothing; the case file shows the reason."""

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.org.models import Department
from app.workflow.models import HumanTask
from tests.functional.test_case_file import can_sign_in, visible_text
from tests.helpers import sign_in
from tests.processes.conftest import Desk  # noqa: F401 - fixtures


@pytest.fixture
def labour(processes, org, clock):  # noqa: F811
    desk = Desk(org, clock)
    case = desk.open(category="labour", title="拖欠工资纠纷", amount=42000, people_count=3)
    return case, desk.task(case, "department_mediation")


def test_transfer_to_another_department_with_a_reason(client, no_csrf, org, labour, handlers):  # noqa: F811
    case, task = labour
    sign_in(client, "hrss")
    client.post(f"/tasks/{task.id}/claim")
    page = client.get(f"/tasks/{task.id}").data.decode()
    assert "转办给" in page and "甘州区住建局" in page
    housing = org.department("housing").id
    reason = "拖欠的是建筑工地农民工工资，属住建局职责"
    response = client.post(f"/tasks/{task.id}/transfer", data={"department_id": housing, "reason": reason})
    assert response.status_code == 302
    db.session.expire_all()
    task = db.session.get(HumanTask, task.id)
    assert (task.candidate_department_id, task.assignee_id) == (housing, None)
    can_sign_in("housing", "住建局承办人")
    sign_in(client, "housing")
    assert task.id in client.get("/").data.decode()
    client.post(f"/tasks/{task.id}/claim")
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).assignee_id is not None
    text = visible_text(client.get(f"/cases/{case.code}").data.decode())
    assert "转办" in text and "转至住建局。理由：拖欠的是建筑工地农民工工资，属住建局职责" in text


@pytest.mark.parametrize(("reason", "outside", "field", "message"), [
    ("", False, "reason", "请填写理由"),
    ("属住建局职责", True, "department_id", "请选择服务本案所在地区的其他部门")])
def test_transfer_refusals_change_nothing(client, no_csrf, org, labour, reason, outside, field, message):
    _case, task = labour
    sign_in(client, "hrss")
    client.post(f"/tasks/{task.id}/claim")
    if outside:  # a department of another county
        here = org.department("hrss").org_unit_id
        target = db.session.scalar(select(Department.id).where(Department.org_unit_id != here,
                                                               Department.code == "housing"))
    else:
        target = org.department("housing").id
    response = client.post(f"/tasks/{task.id}/transfer", data={"department_id": target, "reason": reason})
    assert response.status_code == 422 and message in response.data.decode()
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).candidate_department_id == org.department("hrss").id
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "task.transferred")) == 0


def test_only_those_handling_or_overseeing_may_transfer(client, no_csrf, org, labour):
    _case, task = labour
    sign_in(client, "grid")
    response = client.post(f"/tasks/{task.id}/transfer",
                           data={"department_id": org.department("housing").id, "reason": "不属于人社"})
    assert response.status_code == 403


def test_return_to_the_center_with_the_reason_shown_there(client, no_csrf, org, labour):
    case, task = labour
    sign_in(client, "hrss")
    client.post(f"/tasks/{task.id}/claim")
    refused = client.post(f"/tasks/{task.id}/return", data={"reason": " "})
    assert refused.status_code == 422 and "请填写理由" in refused.data.decode()
    reason = "申请人实为个体工商户之间的合同纠纷，非劳动争议"
    assert client.post(f"/tasks/{task.id}/return", data={"reason": reason}).status_code == 302
    db.session.expire_all()
    returned = db.session.get(HumanTask, task.id)
    assert returned.candidate_department_id is None and returned.candidate_role.value == "center_coordinator"
    sign_in(client, "coordinator")
    text = visible_text(client.get(f"/tasks/{task.id}").data.decode())
    assert "转办、退回与延期" in text and reason in text and "转办给" in text  # the center routes it again
    assert "退回综治中心" not in text  # nowhere further back to go
