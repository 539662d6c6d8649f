"""Admin changes: each one unit of work with an audit event naming before and after."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.org import lanes
from app.org.models import OrgUnit, Role, StationingMode, User
from app.unit_of_work import run_unit
from app.workflow import services
from app.workflow.models import HumanTask, TaskState
from app.workflow.sync import Unassignable
from tests.helpers import post_sign_in


def _last(action: str) -> AuditEvent:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id.desc())).first()


def test_rename_is_audited_with_before_and_after(client, org):
    post_sign_in(client, "admin")
    unit = org.unit("zy-1-1")
    assert client.post(f"/admin/org/{unit.id}/rename", data={"name": "梁家墩镇（新）"}).status_code == 302
    event = _last("org_unit.renamed")
    assert event.summary["before"]["name"] == "梁家墩镇"
    assert event.summary["after"]["name"] == "梁家墩镇（新）"
    assert event.actor_label == "冯管理"
    page = client.get("/admin/audit?what=org_unit").get_data(as_text=True)
    assert "单位改名" in page and "名称 梁家墩镇 → 梁家墩镇（新）" in page
    export = client.get("/admin/audit.xlsx?what=org_unit")
    assert export.status_code == 200 and export.data[:2] == b"PK"


def test_moving_a_township_moves_its_subtree(client, org):
    post_sign_in(client, "admin")
    township, other_county = org.unit("zy-1-2"), org.unit("zy-2")
    moved = client.post(f"/admin/org/{township.id}/move", data={"parent_id": other_county.id})
    assert moved.status_code == 302
    db.session.expire_all()
    grid = org.unit("zy-1-2-1-1")
    assert grid.path.startswith(other_county.path) and grid.ancestor_ids()[1] == other_county.id
    assert _last("org_unit.moved").summary["before"]["parent"] == "甘州区"


def test_a_unit_with_active_children_cannot_be_retired_and_a_leaf_can(client, org):
    post_sign_in(client, "admin")
    village, grid = org.unit("zy-1-1-1"), org.unit("zy-1-1-1-2")
    refused = client.post(f"/admin/org/{village.id}/retire")
    assert refused.status_code == 422 and "请先撤销或移走下级单位" in refused.get_data(as_text=True)
    assert client.post(f"/admin/org/{grid.id}/retire", data={"confirmed": "1"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(OrgUnit, grid.id).retired_at is not None  # kept, never deleted


def test_reset_password_forces_a_change_that_follows_the_policy(client, org, app):
    post_sign_in(client, "admin")
    grid = db.session.scalar(select(User).where(User.username == "grid"))
    page = client.post(f"/admin/users/{grid.id}/reset").get_data(as_text=True)
    temporary = page.split('id="one-time-password">')[1].split("<")[0]
    assert _last("user.password_reset").summary["after"] == {"must_change_password": True}
    other = app.test_client()
    assert post_sign_in(other, "grid", temporary).status_code == 302
    assert other.get("/").headers["Location"] == "/account/password"
    weak = other.post("/account/password", data={"current": temporary, "new": "short", "confirm": "short"})
    assert weak.status_code == 400 and "密码至少需要 10 位" in weak.get_data(as_text=True)
    reused = other.post("/account/password", data={"current": temporary, "new": temporary,
                                                   "confirm": temporary})
    assert "不能使用最近 5 次用过的密码" in reused.get_data(as_text=True)
    good = "Qilian-Shan-2026"
    assert other.post("/account/password", data={"current": temporary, "new": good,
                                                 "confirm": good}).status_code == 302
    assert other.get("/").status_code == 200


def test_demo_password_in_production_is_flagged_at_first_sign_in(client, org, app):
    app.config["ONEDOOR_ENV"] = "production"
    post_sign_in(client, "grid")
    assert client.get("/").headers["Location"] == "/account/password"
    assert db.session.scalar(select(User).where(User.username == "grid")).must_change_password
    assert _last("user.shared_password_flagged") is not None


def test_disabled_user_cannot_sign_in(client, org, app):
    post_sign_in(client, "admin")
    grid = db.session.scalar(select(User).where(User.username == "grid"))
    assert client.post(f"/admin/users/{grid.id}/active", data={"active": "0"}).status_code == 302
    assert post_sign_in(app.test_client(), "grid").status_code == 400
    assert _last("user.disabled").summary["before"]["active"] is True


@pytest.fixture
def ecology(org):
    """甘州区生态环境局 (轮驻); the fixture process's 网格员 lane is pointed at its code."""
    department = org.department("ecology")
    assert department.stationing == StationingMode.ROTATING
    return department


def _start(org, clock, key):
    return run_unit(lambda: services.start_instance(
        "two_step", business_key=key, org_unit_id=org.unit("zy-1-1-1-1").id, data={}, clock=clock))


def test_a_department_rotated_out_takes_no_new_tasks_and_hands_its_unheld_one_on(
        client, deployed, org, ecology, clock):
    post_sign_in(client, "admin")
    assert client.post("/admin/lanes", data={"lane": "网格员", "org_level": "", "role": "",
                                             "department_code": "ecology"}).status_code == 302
    today = clock.now().date()
    assert client.post(f"/admin/departments/{ecology.id}/periods",
                       data={"starts_on": str(today - timedelta(days=30)), "ends_on": ""}).status_code == 302
    first = _start(org, clock, "ZY-2026-000101")
    task = db.session.scalar(select(HumanTask).where(HumanTask.instance_id == first.id))
    assert task.candidate_department_id == ecology.id
    assert client.post(f"/admin/departments/{ecology.id}/rotate-out",
                       data={"confirmed": "1"}).status_code == 302
    with pytest.raises(Unassignable, match="当前不在轮驻期内"):
        _start(org, clock, "ZY-2026-000102")
    db.session.expire_all()
    kept = db.session.get(HumanTask, task.id)  # nobody held it: the coordinators take it on
    assert (kept.state, kept.candidate_department_id, kept.candidate_role) == (
        TaskState.READY, None, Role.CENTER_COORDINATOR)
    assert _last("department.rotated_out").summary["after"]["periods"] == [
        f"{today - timedelta(days=30)}～{today - timedelta(days=1)}"]
    preview = client.get("/admin/lanes", query_string={"lane": "网格员",
                                                       "org_unit_id": org.unit("zy-1-1-1-1").id})
    assert "当前不在轮驻期内" in preview.get_data(as_text=True)


def test_overlapping_periods_and_bad_dates_are_refused(client, org, ecology):
    post_sign_in(client, "admin")
    bad = client.post(f"/admin/departments/{ecology.id}/periods", data={"starts_on": "2026-02-30"})
    assert bad.status_code == 422 and "开始日期「2026-02-30」不是有效日期" in bad.get_data(as_text=True)
    client.post(f"/admin/departments/{ecology.id}/periods", data={"starts_on": "2026-01-01",
                                                                  "ends_on": "2026-06-30"})
    overlap = client.post(f"/admin/departments/{ecology.id}/periods", data={"starts_on": "2026-06-01"})
    assert overlap.status_code == 422 and "重叠" in overlap.get_data(as_text=True)


def test_lane_memo_is_cleared_by_a_lane_rule_change(client, org):
    grid = org.unit("zy-1-1-1-1").id
    assert lanes.resolve("网格员", grid).org_unit_id == grid
    post_sign_in(client, "admin")
    client.post("/admin/lanes", data={"lane": "网格员", "org_level": "村/社区", "role": "调解员"})
    assert lanes.resolve("网格员", grid).org_unit_id == org.unit("zy-1-1-1").id
