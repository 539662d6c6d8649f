"""Contract of /api/v1/cases: create, search, get with route map, errors with field paths."""

import pytest

from tests.api.conftest import case_body
from tests.processes.conftest import resolved


@pytest.fixture
def key(processes, make_key):
    """An integration key for every channel, everywhere."""
    return make_key()


@pytest.fixture
def bare_key(org, make_key):
    """A key without deployed processes: enough for input that never reaches a process."""
    return make_key()


def test_create_returns_the_case_with_code_route_map_and_masked_parties(key):
    response = key.post("/api/v1/cases", json=case_body())
    assert response.status_code == 201, response.json
    case = response.json
    assert case["code"].startswith("ZY-2026-") and case["status"] == "in_progress"
    assert case["org_unit"] == {"code": "zy-1-1-1-1", "name": "梁家墩镇第1村第1网格"}
    assert case["route"] == "four_levels" and case["level"] == "网格员首调"
    assert case["parties"][0]["id_number"] == "620702********1231"
    assert case["parties"][0]["phone"] == "139****5678"
    [step] = case["route_map"]
    assert (step["bpmn_id"], step["lane"], step["state"]) == ("level_mediation", "网格员", "ready")
    assert key.get(f"/api/v1/cases/{case['code']}").json["route_map"] == case["route_map"]


@pytest.mark.parametrize(("change", "path"), [
    ({"parties": [{"name": "张三", "role": "applicant", "phone": "12"}]}, "parties.0.phone"),
    ({"parties": [{"role": "judge"}]}, "parties.0.name"),
    ({"category": "unicorns"}, "category"),
    ({"title": None}, "title"),
    ({"people_count": "many"}, "people_count"),
    ({"amount": -1}, "amount"),
    ({"occurred_on": "2026-13-01"}, "occurred_on"),
    ({"surprise": 1}, "surprise"),
    ({"channel": "fax"}, "channel"),
    ({"title": "排水\x00纠纷"}, "title"),
    ({"parties": [{"name": "张\x00三", "role": "applicant"}]}, "parties.0.name"),
])
def test_bad_input_is_422_with_field_paths(bare_key, change, path):
    response = bare_key.post("/api/v1/cases", json=case_body(**change))
    assert response.status_code == 422, response.json
    assert response.json["code"] == "validation_failed"
    assert path in response.json["errors"], response.json
    assert all(isinstance(m, str) and m for m in response.json["errors"][path])


def test_unknown_org_unit_is_422(bare_key):
    response = bare_key.post("/api/v1/cases", json=case_body(org_unit="zy-99"))
    assert response.status_code == 422 and "org_unit" in response.json["errors"]


def test_missing_body_fields_and_wrong_json(key):
    response = key.post("/api/v1/cases", json={})
    assert response.status_code == 422
    assert {"title", "narrative", "category", "channel", "org_unit", "parties"} <= \
        set(response.json["errors"])
    broken = key.client.post("/api/v1/cases", data=b"{not json", headers=key.headers,
                             content_type="application/json")
    assert broken.status_code in (400, 422) and "code" in broken.json


def test_oversize_body_is_413(bare_key):
    response = bare_key.post("/api/v1/cases", json=case_body(narrative="长" * 300_000))
    assert response.status_code == 413 and response.json["code"] == "payload_too_large"


def test_search_filters_and_paging(key, clock):
    codes = [key.post("/api/v1/cases", json=case_body(title=f"排水纠纷{i}")).json["code"]
             for i in range(3)]
    key.post("/api/v1/cases", json=case_body(category="labour", org_unit="zy-1-1-2-1"))
    page = key.get("/api/v1/cases?per_page=2").json
    assert (page["total"], page["pages"], len(page["items"])) == (4, 2, 2)
    assert key.get("/api/v1/cases?per_page=2&page=2").json["items"][-1]["code"] == codes[0]
    assert key.get("/api/v1/cases?category=labour").json["total"] == 1
    assert key.get("/api/v1/cases?org_unit=zy-1-1-1").json["total"] == 3
    assert key.get(f"/api/v1/cases?q={codes[1]}").json["items"][0]["code"] == codes[1]
    assert key.get("/api/v1/cases?status=closed").json["total"] == 0
    assert key.get("/api/v1/cases?received_from=2026-03-02&received_to=2026-03-02").json["total"] == 4
    assert key.get("/api/v1/cases?received_from=2026-03-03").json["total"] == 0
    bad = key.get("/api/v1/cases?per_page=1000&status=lost")
    assert bad.status_code == 422 and {"per_page", "status"} <= set(bad.json["errors"])


def test_unknown_case_is_404_json(key):
    response = key.get("/api/v1/cases/ZY-2026-999999")
    assert response.status_code == 404 and response.json["code"] == "not_found"
    assert key.get("/api/v1/cases/ZY%00").status_code == 404
    assert key.get("/api/v1/cases?q=%00").status_code == 422


def test_the_handler_sees_personal_data_others_masked(key, make_user):
    code = key.post("/api/v1/cases", json=case_body()).json["code"]
    assert make_user("grid").get(f"/api/v1/cases/{code}").json["parties"][0]["phone"] == "13912345678"
    # the county supervisor sees the case but does not handle it: masked, as on the web
    assert make_user("supervisor").get(f"/api/v1/cases/{code}").json["parties"][0]["phone"] \
        == "139****5678"
    # 人社 has no task of this township case: refused, as on the web
    assert make_user("hrss").get(f"/api/v1/cases/{code}").status_code == 403


def test_resolution_shows_on_the_case(key, make_user):
    code = key.post("/api/v1/cases", json=case_body()).json["code"]
    grid = make_user("grid")
    [task] = grid.get("/api/v1/tasks").json["items"]
    grid.post(f"/api/v1/tasks/{task['id']}/claim")
    assert grid.post(f"/api/v1/tasks/{task['id']}/complete",
                     json={"data": resolved()}).status_code == 200
    case = key.get(f"/api/v1/cases/{code}").json
    assert (case["status"], case["result"]) == ("resolved", "resolved")
    assert case["route_map"][0]["state"] == "completed"
    assert case["agreement"]["terms"]


def test_unknown_api_path_and_method_are_json(bare_key):
    assert bare_key.get("/api/v1/nothing").json["code"] == "not_found"
    response = bare_key.client.delete("/api/v1/cases", headers=bare_key.headers)
    assert response.status_code == 405 and response.json["code"] == "method_not_allowed"
