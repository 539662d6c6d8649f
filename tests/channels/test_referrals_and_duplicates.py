"""Referrals (警情/信访/诉前调解) and likely duplicates (疑似重复)."""

import pytest

from app.cases.models import Case
from app.channels.duplicates.models import CaseDuplicate
from app.extensions import db
from app.workflow.models import HumanTask, InstanceStatus, ProcessInstance, TaskState
from tests.api.conftest import case_body
from tests.processes.conftest import end_of, resolved


def referral(kind: str, ref: str, **overrides) -> dict:
    """A referral body at grid zy-1-1-1-1."""
    body = {**case_body(), "kind": kind, "source_ref": ref, "source_system": f"{kind}-system"}
    body.pop("channel")
    body.update(overrides)
    return body


@pytest.fixture
def source(processes, make_key):
    """A key for the police, petition and court systems."""
    return make_key(channels=("police", "petition", "court"), name="政法协同")


def test_a_petition_gets_the_petition_deadlines_and_is_idempotent(source):
    response = source.post("/api/v1/referrals", json=referral("petition", "XF-2026-001"))
    assert response.status_code == 201, response.json
    case = db.session.scalar(db.select(Case).where(Case.code == response.json["case_code"]))
    assert (case.channel, case.external_ref, case.route) == ("petition", "XF-2026-001", "referral")
    task = db.session.scalar(db.select(HumanTask).where(HumanTask.business_key == case.code))
    assert task.bpmn_id == "petition_accept" and task.due_at == end_of(2026, 3, 17)
    again = source.post("/api/v1/referrals", json=referral("petition", "XF-2026-001"))
    assert again.status_code == 200 and again.json["case_code"] == case.code
    assert db.session.scalar(db.select(db.func.count()).select_from(Case)) == 1


def test_referral_scope_and_validation(source, make_key):
    assert make_key(channels=("grid",)).post(
        "/api/v1/referrals", json=referral("police", "JQ-1")).status_code == 403
    bad = source.post("/api/v1/referrals", json=referral("army", "JQ 1"))
    assert bad.status_code == 422 and {"kind", "source_ref"} <= set(bad.json["errors"])


def test_a_police_referral_sends_its_result_back(source, desk, handlers, platform, deliver):
    code = source.post("/api/v1/referrals",
                       json=referral("police", "JQ-2026-0815")).json["case_code"]
    task = db.session.scalar(db.select(HumanTask).where(HumanTask.business_key == code))
    desk.do(task, "police", resolved())
    deliver()
    [callback] = platform.received
    assert (callback["kind"], callback["source_ref"], callback["case_code"], callback["result"]) == \
        ("police", "JQ-2026-0815", code, "resolved")
    assert callback["idempotency_key"] == "police:JQ-2026-0815:result"


def test_same_party_category_and_grid_is_flagged_then_merged_or_kept(processes, make_key, make_user):
    key = make_key()
    first = key.post("/api/v1/cases", json=case_body()).json
    assert first["duplicate"] is None
    second = key.post("/api/v1/cases", json=case_body(title="同一排水纠纷再次来电")).json
    assert second["duplicate"]["duplicate_of"] == first["code"]
    assert second["duplicate"]["status"] == "flagged"
    other_grid = key.post("/api/v1/cases", json=case_body(org_unit="zy-1-1-1-2")).json
    other_category = key.post("/api/v1/cases", json=case_body(category="contract")).json
    assert other_grid["duplicate"] is None and other_category["duplicate"] is None
    assert key.get("/api/v1/cases?duplicate=flagged").json["total"] == 1

    clerk = make_user("clerk")
    assert key.post(f"/api/v1/cases/{second['code']}/duplicate",
                    json={"decision": "merge"}).status_code == 403  # a clerk decides
    merged = clerk.post(f"/api/v1/cases/{second['code']}/duplicate", json={"decision": "merge"})
    assert merged.status_code == 200 and merged.json["status"] == "merged"
    case = db.session.scalar(db.select(Case).where(Case.code == second["code"]))
    instance = db.session.get(ProcessInstance, case.instance_id)
    assert (case.status.value, case.result, instance.status) == ("closed", "merged",
                                                                 InstanceStatus.CANCELLED)
    assert db.session.scalar(db.select(db.func.count()).select_from(HumanTask).where(
        HumanTask.business_key == second["code"], HumanTask.state == TaskState.READY)) == 0
    again = clerk.post(f"/api/v1/cases/{second['code']}/duplicate", json={"decision": "keep"})
    assert again.status_code == 409
    assert clerk.post(f"/api/v1/cases/{first['code']}/duplicate",
                      json={"decision": "keep"}).status_code == 404


def test_the_window_is_configurable(app, processes, make_key, clock):
    app.config["DUPLICATE_WINDOW_DAYS"] = 3
    key = make_key()
    key.post("/api/v1/cases", json=case_body())
    clock.advance(days=4)
    assert key.post("/api/v1/cases", json=case_body()).json["duplicate"] is None
    assert db.session.scalar(db.select(db.func.count()).select_from(CaseDuplicate)) == 0
