"""转办 with the coordinator's approval where the process says so (信访 tasks declare
`transferApproval = coordinator`): the request waits, the task stays, the coordinator approves
(the task moves with its reason) or refuses (the requester reads why); two decisions at the same
instant write one; the same through the API."""

import threading

import pytest
import requests
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.inbox.models import TaskTransfer, TransferState
from app.org.demo import DEMO_PASSWORD
from app.workflow.checks import check_files
from app.workflow.models import HumanTask
from tests.functional.test_case_file import can_sign_in, visible_text
from tests.helpers import sign_in
from tests.live import live_url  # noqa: F401 - fixture
from tests.processes.conftest import Desk  # noqa: F401 - fixtures

REASON = "信访人反映的是小区违建问题，属住建局职责"


@pytest.fixture
def petition(processes, org, clock, handlers):  # noqa: F811
    desk = Desk(org, clock)
    case = desk.open(channel="petition", category="other", title="信访转来的小区违建问题",
                     external_ref="XF-2026-0401")
    can_sign_in("petition", "信访局承办人")
    can_sign_in("housing", "住建局承办人")
    return case, desk.task(case, "petition_accept")


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _request(client, task, org, reason=REASON):
    return client.post(f"/tasks/{task.id}/transfer",
                       data={"department_id": org.department("housing").id, "reason": reason})


def test_request_waits_and_the_task_stays(client, no_csrf, org, petition):
    case, task = petition
    sign_in(client, "petition")
    client.post(f"/tasks/{task.id}/claim")
    page = visible_text(client.get(f"/tasks/{task.id}").data.decode())
    assert "本环节转办须经综治中心调度审批" in page and "提交转办申请" in page
    assert _request(client, task, org).status_code == 302
    db.session.expire_all()
    held = db.session.get(HumanTask, task.id)
    assert held.candidate_department_id == org.department("petition").id and held.assignee_id
    page = visible_text(client.get(f"/tasks/{task.id}").data.decode())
    assert "转办待审批" in page and REASON in page and "提交转办申请" not in page
    assert "转办待审批" in visible_text(client.get("/?tab=mine").data.decode())
    again = _request(client, task, org)  # one request waits at a time
    assert again.status_code == 409 and _count(TaskTransfer) == 1
    assert db.session.scalar(select(AuditEvent.summary).where(
        AuditEvent.action == "task.transfer_requested"))["reason"] == REASON
    case_page = visible_text(client.get(f"/cases/{case.code}").data.decode())
    assert "申请转至住建局，待综治中心调度审批" in case_page


def test_the_menu_entry_and_its_count_only_for_approvers(client, no_csrf, org, petition):
    _case, task = petition
    sign_in(client, "petition")
    home = client.get("/").data.decode()
    assert "/approvals" not in home and client.get("/approvals").status_code == 403
    _request(client, task, org)
    sign_in(client, "coordinator")
    home = client.get("/").data.decode()
    assert 'href="/approvals"' in home and '<span class="nav-count">1</span>' in home
    text = visible_text(client.get("/approvals").data.decode())
    assert REASON in text and "住建局" in text and "信访局承办人" in text


def test_approve_moves_the_task_with_its_reason(client, no_csrf, org, petition):
    case, task = petition
    sign_in(client, "petition")
    _request(client, task, org)
    [row] = db.session.scalars(select(TaskTransfer)).all()
    sign_in(client, "coordinator")
    approved = client.post(f"/approvals/{row.id}", data={"decision": "approve", "reason": "同意"})
    assert approved.status_code == 302
    db.session.expire_all()
    moved = db.session.get(HumanTask, task.id)
    assert (moved.candidate_department_id, moved.assignee_id) == (org.department("housing").id, None)
    assert db.session.get(TaskTransfer, row.id).state == TransferState.APPROVED
    sign_in(client, "housing")
    assert task.id in client.get("/").data.decode()
    page = visible_text(client.get(f"/tasks/{task.id}").data.decode())
    assert REASON in page and "经孙调度批准" in page
    assert "经孙调度批准" in visible_text(client.get(f"/cases/{case.code}").data.decode())
    sign_in(client, "coordinator")
    again = client.post(f"/approvals/{row.id}", data={"decision": "approve"})
    assert again.status_code == 409 and "已被处理" in again.data.decode()
    assert _count(AuditEvent, AuditEvent.action == "task.transferred") == 1


def test_refuse_needs_a_reason_and_the_requester_reads_it(client, no_csrf, org, petition):
    _case, task = petition
    sign_in(client, "petition")
    client.post(f"/tasks/{task.id}/claim")
    _request(client, task, org)
    [row] = db.session.scalars(select(TaskTransfer)).all()
    sign_in(client, "coordinator")
    blank = client.post(f"/approvals/{row.id}", data={"decision": "refuse", "reason": " "})
    assert blank.status_code == 422 and "请填写理由" in blank.data.decode()
    assert db.session.get(TaskTransfer, row.id).state == TransferState.PENDING
    why = "属信访事项，应由信访局登记受理后再交办"
    assert client.post(f"/approvals/{row.id}", data={"decision": "refuse", "reason": why}).status_code == 302
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).candidate_department_id == org.department("petition").id
    sign_in(client, "petition")
    page = visible_text(client.get(f"/tasks/{task.id}").data.decode())
    assert "转办申请未获批准" in page and why in page and "提交转办申请" in page  # may ask again


def test_a_coordinator_transfers_without_a_second_approval(client, no_csrf, org, petition):
    _case, task = petition
    sign_in(client, "coordinator")
    assert _request(client, task, org).status_code == 302
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).candidate_department_id == org.department("housing").id
    assert _count(TaskTransfer) == 0


def test_only_a_coordinator_over_the_area_decides(client, no_csrf, org, petition):
    _case, task = petition
    sign_in(client, "petition")
    _request(client, task, org)
    [row] = db.session.scalars(select(TaskTransfer)).all()
    for user in ("petition", "supervisor"):
        sign_in(client, user)
        assert client.post(f"/approvals/{row.id}", data={"decision": "approve"}).status_code == 403
    assert _count(TaskTransfer, TaskTransfer.state == TransferState.PENDING) == 1


def _signed_in(base: str, username: str) -> requests.Session:
    web = requests.Session()
    response = web.post(f"{base}/login", data={"username": username, "password": DEMO_PASSWORD},
                        allow_redirects=False, timeout=30)
    assert response.status_code == 302
    return web


def test_two_approvals_at_the_same_instant_write_one(no_csrf, org, petition, live_url):  # noqa: F811
    _case, task = petition
    requester = _signed_in(live_url, "petition")
    assert requester.post(f"{live_url}/tasks/{task.id}/transfer", allow_redirects=False, timeout=30, data={
        "department_id": org.department("housing").id, "reason": REASON}).status_code == 302
    [row] = db.session.scalars(select(TaskTransfer)).all()
    sessions = [_signed_in(live_url, "coordinator") for _ in range(2)]
    gate, statuses = threading.Barrier(2), []

    def decide(web, decision):
        gate.wait()
        statuses.append(web.post(f"{live_url}/approvals/{row.id}", allow_redirects=False, timeout=60,
                                 data={"decision": decision, "reason": "不属住建局职责，请信访局办理"})
                        .status_code)
    threads = [threading.Thread(target=decide, args=(web, d))
               for web, d in zip(sessions, ("approve", "refuse"), strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert sorted(statuses) == [302, 409], statuses
    db.session.expire_all()
    decided = db.session.get(TaskTransfer, row.id)
    department = db.session.get(HumanTask, task.id).candidate_department_id
    moved = _count(AuditEvent, AuditEvent.action == "task.transferred")
    refused = _count(AuditEvent, AuditEvent.action == "task.transfer_refused")
    if decided.state == TransferState.APPROVED:
        assert (department, moved, refused) == (org.department("housing").id, 1, 0)
    else:
        assert (decided.state, department, moved, refused) == (
            TransferState.REFUSED, org.department("petition").id, 0, 1)


def test_the_same_through_the_api(org, petition, make_user):
    _case, task = petition
    petition_api, coordinator_api = make_user("petition"), make_user("coordinator")
    bad = petition_api.post(f"/api/v1/tasks/{task.id}/transfer", json={
        "department_id": org.department("housing").id, "reason": ""})
    assert bad.status_code == 422 and "reason" in bad.get_json()["errors"]
    asked = petition_api.post(f"/api/v1/tasks/{task.id}/transfer", json={
        "department_id": org.department("housing").id, "reason": REASON})
    assert asked.status_code == 202, asked.get_json()
    body = asked.get_json()
    assert body["state"] == "pending" and body["reason"] == REASON
    assert coordinator_api.get("/api/v1/transfers").get_json()["items"][0]["id"] == body["id"]
    assert petition_api.get("/api/v1/transfers").status_code == 403
    refused = coordinator_api.post(f"/api/v1/transfers/{body['id']}/refuse", json={"reason": ""})
    assert refused.status_code == 422 and "reason" in refused.get_json()["errors"]
    approved = coordinator_api.post(f"/api/v1/transfers/{body['id']}/approve", json={})
    assert approved.status_code == 200 and approved.get_json()["state"] == "approved"
    again = coordinator_api.post(f"/api/v1/transfers/{body['id']}/approve", json={})
    assert again.status_code == 409
    assert coordinator_api.post(f"/api/v1/transfers/{2**40}/approve", json={}).status_code == 404
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).candidate_department_id == org.department("housing").id


BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="x">
  <bpmn:process id="p" name="测试" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="t" name="办理"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="transferApproval" value="{value}" />
    </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t" />
    <bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>"""


@pytest.mark.parametrize(("value", "refused"), [("coordinator", False), ("yes", True)])
def test_the_check_knows_the_property(value, refused):
    problems = check_files({"p.bpmn": BPMN.replace("{value}", value)}, {}, {})
    assert any("转办需审批" in p.message and p.element_id == "t" for p in problems) == refused, problems
