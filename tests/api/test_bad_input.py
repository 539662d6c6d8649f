"""Hand-made bad input answers 4xx with the field path and writes nothing — never a 500."""

import json

import pytest
from sqlalchemy import func, select

from app.cases.models import Case
from app.extensions import db
from app.org.demo import DEMO_PASSWORD
from tests.api.conftest import case_body
from tests.channels.conftest import hotline, order  # noqa: F401

DEEP = 10_000


def _nested(depth: int):
    """[[[…]]] `depth` levels deep, as JSON text (json.dumps itself would recurse)."""
    return "[" * depth + "]" * depth


def _post_raw(caller, url: str, text: str):
    return caller.client.post(url, data=text.encode(), headers=caller.headers,
                              content_type="application/json")


def _cases() -> int:
    return db.session.scalar(select(func.count()).select_from(Case))


@pytest.fixture
def key(processes, make_key):
    return make_key()


@pytest.mark.parametrize(("where", "path"), [
    ("title", "title"), ("parties", "parties"), ("parties.0.name", "parties.0.name")])
def test_deeply_nested_case_body_is_400_with_the_path(key, where, path):
    body = json.dumps(case_body(), ensure_ascii=False)
    holder = {"title": '"title": ' + json.dumps(case_body()["title"], ensure_ascii=False),
              "parties": '"parties": ' + json.dumps(case_body()["parties"], ensure_ascii=False),
              "parties.0.name": '"name": "张三"'}[where]
    replacement = holder.split(":", 1)[0] + ": " + _nested(DEEP)
    assert holder in body
    response = _post_raw(key, "/api/v1/cases", body.replace(holder, replacement, 1))
    assert response.status_code == 400, response.json
    assert response.json["code"] == "bad_request"
    [reported] = response.json["errors"]
    assert reported.startswith(path + ".0.0" if where != "parties.0.name" else path)
    assert _cases() == 0


def test_deeply_nested_task_completion_is_400(key, make_user):
    key.post("/api/v1/cases", json=case_body())
    grid = make_user("grid")
    [task] = grid.get("/api/v1/tasks").json["items"]
    assert grid.post(f"/api/v1/tasks/{task['id']}/claim").status_code == 200
    response = _post_raw(grid, f"/api/v1/tasks/{task['id']}/complete",
                         '{"data": {"summary": ' + _nested(DEEP) + "}}")
    assert response.status_code == 400
    assert next(iter(response.json["errors"])).startswith("data.summary.0.0")
    assert grid.get(f"/api/v1/tasks/{task['id']}").json["state"] == "ready"


SURROGATE = "\udfff"


@pytest.mark.parametrize(("change", "path"), [
    ({"title": f"排水纠纷{SURROGATE}"}, "title"),
    ({"narrative": f"两户因院落排水问题发生争执{SURROGATE}"}, "narrative"),
    ({"parties": [{"name": f"张{SURROGATE}", "role": "applicant"}]}, "parties.0.name"),
])
def test_lone_surrogates_are_422_with_the_path(key, change, path):
    response = _post_raw(key, "/api/v1/cases", json.dumps(case_body(**change)))  # "\udfff" escaped
    assert response.status_code == 422, response.json
    assert path in response.json["errors"]
    assert _cases() == 0


def test_lone_surrogate_in_a_12345_order_is_422(processes, hotline):  # noqa: F811
    raw = json.dumps(order(title=f"违建挡光{SURROGATE}纠纷", citizen={"name": f"王{SURROGATE}"})).encode()
    response = hotline({}, raw=raw)
    assert response.status_code == 422, response.json
    assert {"title", "citizen.name"} <= set(response.json["errors"])


def test_lone_surrogate_in_a_task_completion_is_422(key, make_user):
    key.post("/api/v1/cases", json=case_body())
    grid = make_user("grid")
    [task] = grid.get("/api/v1/tasks").json["items"]
    grid.post(f"/api/v1/tasks/{task['id']}/claim")
    response = _post_raw(grid, f"/api/v1/tasks/{task['id']}/complete",
                         json.dumps({"data": {"summary": f"调解{SURROGATE}"}}))
    assert response.status_code == 422 and "data.summary" in response.json["errors"]


@pytest.mark.parametrize(("url", "path"), [
    ("/api/v1/cases?received_to=9999-12-31", "received_to"),
    ("/api/v1/cases?received_from=0001-01-01", "received_from"),
    ("/api/v1/reports/indicators?from=0001-01-01&to=2026-01-01", "from"),
    ("/api/v1/reports/indicators?from=2026-01-01&to=9999-12-31", "to"),
])
def test_extreme_dates_in_the_api_are_422(key, url, path):
    response = key.get(url)
    assert response.status_code == 422, response.json
    assert path in response.json["errors"]


@pytest.mark.parametrize("url", [
    "/reports/view?day=9999-12-31", "/reports/view?day=0001-01-01",
    "/supervision/departments?start=0001-01-01", "/supervision/departments?end=9999-12-31",
])
def test_extreme_dates_on_web_pages_are_4xx(app, org, url):
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    client.post("/login", data={"username": "supervisor", "password": DEMO_PASSWORD})
    response = client.get(url)
    assert 400 <= response.status_code < 500, response.status_code


@pytest.mark.parametrize(("occurred_on", "status"), [
    ("2026-03-03", 422),  # tomorrow (the test clock stands on 2 March 2026)
    ("1899-12-31", 422), ("0001-01-01", 422), ("9999-12-31", 422),
    ("2026-03-02", 201), ("1900-01-01", 201),
])
def test_occurred_on_must_have_happened_since_1900(key, occurred_on, status):
    response = key.post("/api/v1/cases", json=case_body(occurred_on=occurred_on))
    assert response.status_code == status, response.json
    if status == 422:
        assert "occurred_on" in response.json["errors"]
        assert _cases() == 0


@pytest.mark.parametrize("count", [2.5, True, "2.5", 1e400])
def test_people_count_must_be_a_whole_number(key, count):
    body = json.dumps(case_body(people_count=count)).replace("Infinity", "1e400")
    response = _post_raw(key, "/api/v1/cases", body)
    assert response.status_code == 422, response.json
    assert "people_count" in response.json["errors"]
    assert _cases() == 0


def test_a_whole_people_count_is_accepted(key):
    assert key.post("/api/v1/cases", json=case_body(people_count=3)).json["people_count"] == 3
