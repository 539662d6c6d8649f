"""Departments serving further units: lane resolution finds them there; removing stops that."""

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.org import lanes
from app.unit_of_work import run_unit
from app.workflow import services
from app.workflow.models import HumanTask
from tests.helpers import post_sign_in

TOWNSHIP_B = "zy-2-1"          # a township of county B (zy-2)
GRID_B = "zy-2-1-1-1"          # a grid in that township


def _new_task(org, clock, key) -> HumanTask:
    instance = run_unit(lambda: services.start_instance(
        "two_step", business_key=key, org_unit_id=org.unit(GRID_B).id, data={}, clock=clock))
    return db.session.scalar(select(HumanTask).where(HumanTask.instance_id == instance.id))


def _last(action: str) -> AuditEvent:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id.desc())).first()


def test_a_department_serving_a_township_of_another_county_receives_its_new_tasks(
        client, deployed, org, clock):
    hrss_a, hrss_b = org.department("hrss", "zy-1"), org.department("hrss", "zy-2")
    township = org.unit(TOWNSHIP_B)
    post_sign_in(client, "admin")
    client.post("/admin/lanes", data={"lane": "网格员", "org_level": "", "role": "",
                                      "department_code": "hrss"})
    assert _new_task(org, clock, "ZY-2026-000201").candidate_department_id == hrss_b.id
    added = client.post(f"/admin/departments/{hrss_a.id}/served", data={"served_unit_id": township.id})
    assert added.status_code == 302
    assert _new_task(org, clock, "ZY-2026-000202").candidate_department_id == hrss_a.id
    event = _last("department.serves_added")
    assert event.summary["before"]["served"] == [] and event.summary["after"]["served"] == [township.name]
    page = client.get("/admin/departments", query_string={"unit": hrss_a.org_unit_id})
    assert township.name in page.get_data(as_text=True)
    removed = client.post(f"/admin/departments/{hrss_a.id}/served/{township.id}/remove")
    assert removed.status_code == 302
    assert _new_task(org, clock, "ZY-2026-000203").candidate_department_id == hrss_b.id
    assert _last("department.serves_removed").summary["after"]["served"] == []


def test_without_further_units_the_nearest_home_department_is_found(org):
    assert lanes.department_for("hrss", org.unit(GRID_B).id).id == org.department("hrss", "zy-2").id
    assert lanes.department_for("hrss", org.unit("zy-1-1-1-1").id).id == org.department("hrss").id


def test_a_county_admin_may_not_serve_a_unit_outside_the_county(client, org, county_admin):
    post_sign_in(client, county_admin)
    hrss_a = org.department("hrss", "zy-1")
    refused = client.post(f"/admin/departments/{hrss_a.id}/served",
                          data={"served_unit_id": org.unit(TOWNSHIP_B).id})
    assert refused.status_code == 403
    assert _last("department.serves_added") is None


def test_a_grid_a_retired_unit_or_a_duplicate_is_refused_by_field(client, org, clock):
    post_sign_in(client, "admin")
    hrss_a = org.department("hrss", "zy-1")
    grid = client.post(f"/admin/departments/{hrss_a.id}/served", data={"served_unit_id": org.unit(GRID_B).id})
    assert grid.status_code == 422 and 'data-field="served_unit_id"' in grid.get_data(as_text=True)
    home = client.post(f"/admin/departments/{hrss_a.id}/served", data={"served_unit_id": hrss_a.org_unit_id})
    assert home.status_code == 422 and "已服务" in home.get_data(as_text=True)
    leaf = org.unit("zy-2-1")
    run_unit(lambda: setattr(db.session.get(type(leaf), leaf.id), "retired_at", clock.now()))
    retired = client.post(f"/admin/departments/{hrss_a.id}/served", data={"served_unit_id": leaf.id})
    assert retired.status_code == 422 and "已撤销" in retired.get_data(as_text=True)


def test_the_lane_memo_forgets_a_served_unit_once_committed(client, org):
    hrss_a, grid = org.department("hrss", "zy-1"), org.unit(GRID_B).id
    assert lanes.resolve(None, grid, "hrss").department_id == org.department("hrss", "zy-2").id
    post_sign_in(client, "admin")
    client.post(f"/admin/departments/{hrss_a.id}/served", data={"served_unit_id": org.unit(TOWNSHIP_B).id})
    assert lanes.resolve(None, grid, "hrss").department_id == hrss_a.id


def test_adding_without_choosing_a_unit_names_the_field(client, org):
    post_sign_in(client, "admin")
    response = client.post(f"/admin/departments/{org.department('hrss').id}/served",
                           data={"served_unit_id": ""})
    assert response.status_code == 422 and "请选择服务单位" in response.get_data(as_text=True)


def test_a_department_members_api_scope_covers_the_units_it_also_serves(client, org):
    from app.api.auth import user_scope  # noqa: PLC0415

    township = org.unit(TOWNSHIP_B)
    assert township.id not in user_scope(org.actor("hrss")).unit_ids
    post_sign_in(client, "admin")
    client.post(f"/admin/departments/{org.department('hrss').id}/served",
                data={"served_unit_id": township.id})
    assert {township.id, org.unit("zy-1").id} <= user_scope(org.actor("hrss")).unit_ids


def test_a_department_serving_the_area_is_offered_for_transfer(client, deployed, org, clock):
    from app.inbox.actions import transfer_targets  # noqa: PLC0415

    hrss_a = org.department("hrss", "zy-1")
    post_sign_in(client, "admin")
    client.post("/admin/lanes", data={"lane": "网格员", "org_level": "", "role": "",
                                      "department_code": "hrss"})
    task = _new_task(org, clock, "ZY-2026-000211")
    assert hrss_a.id not in {d.id for d in transfer_targets(task)}
    client.post(f"/admin/departments/{hrss_a.id}/served", data={"served_unit_id": org.unit(TOWNSHIP_B).id})
    assert hrss_a.id in {d.id for d in transfer_targets(task)}
