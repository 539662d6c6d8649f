"""Contract of /api/v1/tasks, /api/v1/deployments, /api/v1/reports and the OpenAPI document."""

import pytest

from tests.api.conftest import case_body
from tests.processes.conftest import resolved


@pytest.fixture
def grid_task(processes, make_key, make_user):
    """A case at the grid; returns (grid worker caller, the open level-1 task)."""
    make_key().post("/api/v1/cases", json=case_body())
    grid = make_user("grid")
    [task] = grid.get("/api/v1/tasks").json["items"]
    return grid, task


def test_inbox_claim_release_complete(grid_task, make_user):
    grid, task = grid_task
    assert task["bpmn_id"] == "level_mediation" and task["claimed"] is False
    detail = grid.get(f"/api/v1/tasks/{task['id']}").json
    assert detail["form"]["title"] and detail["mine"] is False
    refused = grid.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": resolved()})
    assert refused.status_code == 409 and refused.json["code"] == "conflict"
    assert grid.post(f"/api/v1/tasks/{task['id']}/claim").json["claimed"] is True
    assert grid.get("/api/v1/tasks?tab=mine").json["total"] == 1
    assert grid.post(f"/api/v1/tasks/{task['id']}/release").json["claimed"] is False
    grid.post(f"/api/v1/tasks/{task['id']}/claim")
    bad = grid.post(f"/api/v1/tasks/{task['id']}/complete",
                    json={"data": {"result": "maybe", "extra": 1}})
    assert bad.status_code == 422 and {"result", "extra"} <= set(bad.json["errors"])
    assert grid.post(f"/api/v1/tasks/{task['id']}/complete", json={}).status_code == 422
    done = grid.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": resolved()})
    assert done.status_code == 200 and done.json["state"] == "completed"
    assert grid.get("/api/v1/tasks?tab=done").json["total"] == 1


def test_other_people_cannot_see_or_take_the_task(grid_task, make_user):
    _, task = grid_task
    hrss = make_user("hrss")
    assert hrss.get(f"/api/v1/tasks/{task['id']}").status_code == 403
    assert hrss.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 403
    assert hrss.get("/api/v1/tasks/no-such-task").status_code == 404
    assert hrss.get("/api/v1/tasks?tab=someday").status_code == 422


def test_deployments(processes, make_key):
    key = make_key()
    everything = key.get("/api/v1/deployments").json
    assert {"dispute", "hotline_order", "four_levels_seven_days"} <= {d["process_id"] for d in everything}
    [dispute] = key.get("/api/v1/deployments?process_id=dispute&latest=true").json
    assert dispute["version"] == 1 and len(dispute["content_hash"]) == 64


def test_indicators(grid_task, make_key, make_user):
    grid, task = grid_task
    grid.post(f"/api/v1/tasks/{task['id']}/claim")
    grid.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": resolved()})
    key = make_key()
    key.post("/api/v1/cases", json=case_body(org_unit="zy-2-1-1-1", category="labour"))
    report = key.get("/api/v1/reports/indicators?from=2026-03-01&to=2026-03-31").json
    assert (report["received"], report["resolved"], report["resolution_rate"]) == (2, 1, "50.00")
    county = key.get("/api/v1/reports/indicators?from=2026-03-01&to=2026-03-31&org_unit=zy-1").json
    assert (county["received"], county["resolution_rate"]) == (1, "100.00")
    bad = key.get("/api/v1/reports/indicators?from=2026-03-31&to=2026-03-01")
    assert bad.status_code == 422 and "to" in bad.json["errors"]


def test_openapi_document_and_offline_docs_page(client, org):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    paths = set(spec["paths"])
    assert {"/api/v1/cases", "/api/v1/cases/{code}", "/api/v1/tasks", "/api/v1/tasks/{task_id}/claim",
            "/api/v1/tasks/{task_id}/complete", "/api/v1/deployments", "/api/v1/reports/indicators",
            "/api/v1/hotline/orders", "/api/v1/referrals"} <= paths
    assert {"bearerAuth", "sessionCookie", "hotlineSignature"} <= \
        set(spec["components"]["securitySchemes"])
    page = client.get("/api/v1/docs").data.decode()
    assert "/static/vendor/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "https://" not in page.replace("https://github.com", "")
