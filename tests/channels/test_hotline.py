"""12345 inbound contract: signatures, replay window, idempotency, objections, deadlines by type."""

from datetime import timedelta

import pytest

from app.cases.models import Case
from app.channels.hotline.models import HotlineOrder
from app.extensions import db
from app.workflow.models import HumanTask, ProcessInstance, TaskState
from tests.channels.conftest import order
from tests.processes.conftest import end_of, local


def _count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def _open_task(bpmn_id: str) -> HumanTask:
    db.session.expire_all()
    return db.session.scalar(db.select(HumanTask).where(HumanTask.bpmn_id == bpmn_id,
                                                        HumanTask.state == TaskState.READY))


def test_bad_or_missing_signature_is_401(processes, hotline, client):
    assert hotline(order(), secret="wrong-secret").status_code == 401
    assert hotline(order(), signature="00" * 32).json["code"] == "bad_signature"
    missing = client.post("/api/v1/hotline/orders", json=order())
    assert missing.status_code == 401 and missing.json["code"] == "bad_signature"
    assert hotline(order(), timestamp="yesterday").status_code == 401
    assert _count(HotlineOrder) == 0


def test_expired_timestamp_is_401(processes, hotline, clock):
    stale = int((clock.now() - timedelta(minutes=6)).timestamp())
    response = hotline(order(), timestamp=stale)
    assert response.status_code == 401 and response.json["code"] == "signature_expired"
    assert hotline(order(), timestamp=stale + 120).status_code == 201  # 4 minutes: inside the window


def test_a_replayed_order_returns_the_same_order_and_creates_nothing(processes, hotline):
    first = hotline(order())
    assert first.status_code == 201
    again = hotline(order())
    assert again.status_code == 200 and again.json["id"] == first.json["id"]
    assert (_count(HotlineOrder), _count(ProcessInstance)) == (1, 1)


def test_the_same_order_id_with_other_content_is_409_naming_the_fields(processes, hotline):
    assert hotline(order()).status_code == 201
    changed = hotline(order(title="改了标题的同一工单", citizen={"name": "王五五"}, urgent=True))
    assert changed.status_code == 409 and changed.json["code"] == "conflict"
    assert set(changed.json["errors"]) == {"title", "citizen", "urgent"}
    assert (_count(HotlineOrder), _count(ProcessInstance)) == (1, 1)
    assert hotline(order(dispatch_no=2, title="异议后重派的同一工单")).status_code == 201  # a re-dispatch


@pytest.mark.parametrize(("change", "path"), [
    ({"grid_code": "zy-404"}, "grid_code"), ({"category": "unicorns"}, "category"),
    ({"order_type": "praise"}, "order_type"), ({"citizen": {"name": ""}}, "citizen.name"),
    ({"category": None}, "category"), ({"department": "nasa"}, "department"),
    ({"order_id": "含中文"}, "order_id"),
])
def test_bad_orders_are_422(processes, hotline, change, path):
    body = order(**change)
    if change == {"category": None}:
        del body["category"]
    response = hotline(body)
    assert response.status_code == 422, response.json
    assert path in response.json["errors"]


def test_oversize_order_is_413(org, hotline):
    assert hotline(order(content="长" * 200_000)).status_code == 413


def test_a_consultation_is_handled_within_two_working_days(processes, hotline, desk):
    body = order(order_id="Q1", order_type="consultation", is_dispute=False)
    del body["category"]
    assert hotline(body).status_code == 201
    sign = _open_task("sign_for")
    assert sign.lane == "综合受理" and sign.due_at == end_of(2026, 3, 3)
    desk.do(sign, "clerk", {"decision": "accept"})
    handle = _open_task("handle")
    assert handle.lane == "乡镇综治中心" and handle.due_at == end_of(2026, 3, 4)
    desk.do(handle, "mediator", {"result": "resolved", "summary": "已电话答复咨询事项"})
    desk.do(_open_task("reply"), "clerk", {"reply": "已答复市民咨询", "contacted": True})
    assert _open_task("visit").due_at == end_of(2026, 3, 3)
    assert _count(Case) == 0  # not a dispute: no case record


def test_urgent_orders_are_signed_within_two_hours_and_departments_sign_their_own(
        processes, hotline, handlers):
    hotline(order(order_id="U1", urgent=True, department="housing", order_type="help",
                  is_dispute=False))
    sign = _open_task("sign_for")
    assert sign.due_at == local(2026, 3, 2, 11, 0)
    assert sign.candidate_department_id is not None


def test_an_upheld_objection_returns_the_order_for_re_routing(processes, hotline, desk, platform,
                                                              deliver):
    hotline(order())
    desk.do(_open_task("sign_for"), "grid", {"decision": "object",
                                             "objection_reason": "该地址不属于本网格"})
    desk.do(_open_task("review_objection"), "coordinator", {"upheld": False, "opinion": "属于本网格"})
    desk.do(_open_task("sign_for"), "grid", {"decision": "object",
                                             "objection_reason": "经核实为第2网格"})
    desk.do(_open_task("review_objection"), "coordinator", {"upheld": True, "opinion": "退回重派"})
    db.session.expire_all()
    assert db.session.scalar(db.select(HotlineOrder.status)) == "returned"
    assert _count(Case) == 0
    deliver()
    assert platform.events() == ["returned"]
    assert platform.received[0]["reason"] == "经核实为第2网格"
    redispatched = hotline(order(dispatch_no=2, grid_code="zy-1-1-1-2"))
    assert redispatched.status_code == 201 and redispatched.json["dispatch_no"] == 2
    assert _count(HotlineOrder) == 2
