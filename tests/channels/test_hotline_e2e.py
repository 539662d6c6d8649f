"""End to end: a 12345 dispute order → a case at the right grid → mediated → signed callbacks to the
fake 12345 platform → return visit → satisfaction recorded and sent back."""

from app.cases.models import Case
from app.channels.hotline.models import HotlineOrder
from app.extensions import db
from tests.channels.conftest import order
from tests.processes.conftest import resolved


def _do(caller, bpmn_id: str, data: dict) -> dict:
    """Find my open task `bpmn_id` through the API, claim and complete it."""
    tasks = caller.get("/api/v1/tasks?tab=todo").json["items"]
    [task] = [t for t in tasks if t["bpmn_id"] == bpmn_id]
    assert caller.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 200
    response = caller.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": data})
    assert response.status_code == 200, response.json
    return task


def test_dispute_order_from_12345_to_satisfaction(processes, hotline, platform, deliver, make_user):
    grid, clerk = make_user("grid"), make_user("clerk")
    response = hotline(order())
    assert response.status_code == 201, response.json
    assert response.json["status"] == "received" and response.json["case_code"] is None

    # 12345 + 网格: the dispute order goes straight to the grid worker, who signs for it
    sign = _do(grid, "sign_for", {"decision": "accept"})
    assert sign["business_key"] == "12345-GS12345-0001-1"
    row = db.session.scalar(db.select(HotlineOrder))
    case = db.session.get(Case, row.case_id)
    assert (row.status, case.channel, case.external_ref) == ("signed", "hotline_12345", "GS12345-0001")
    assert case.org_unit_id == db.session.scalar(
        db.text("select id from org_unit where code = 'zy-1-1-1-1'"))

    # 四级七天 level 1: the grid worker mediates
    _do(grid, "level_mediation", resolved())
    db.session.expire_all()
    assert db.session.get(Case, case.id).status.value == "resolved"
    assert db.session.get(HotlineOrder, row.id).dispute_result == "resolved"

    _do(clerk, "reply", {"reply": "经网格员调解，双方达成协议，问题已解决。", "contacted": True})
    assert deliver().delivered == 2
    assert platform.events("GS12345-0001") == ["signed", "replied"]
    replied = platform.received[1]
    assert (replied["case_code"], replied["result"]) == (case.code, "resolved")

    _do(clerk, "visit", {"satisfaction": "satisfied", "visit_note": "市民对调解结果满意"})
    assert deliver().delivered == 1
    closed = platform.received[-1]
    assert (closed["event"], closed["satisfaction"]) == ("closed", "satisfied")
    db.session.expire_all()
    assert db.session.get(HotlineOrder, row.id).satisfaction == "satisfied"
    assert platform.rejected == []
    assert deliver().delivered == 0  # nothing is sent twice
