"""The web and the API call the same domain services: for the same user they find the same
cases (party names included, newest first) and show the same route map of a case."""

import re

import pytest

from app.cases.models import Case
from app.cases.routemap import route_map
from app.extensions import db
from app.org.demo import DEMO_PASSWORD

CODE = re.compile(r"\b[A-Z]+-\d{4}-\d{6}\b")


def _web(app, username):
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    assert client.post("/login", data={"username": username,
                                       "password": DEMO_PASSWORD}).status_code == 302
    return client


def _web_codes(client, query: str) -> list[str]:
    html = client.get(f"/cases/?{query}").get_data(as_text=True)
    return list(dict.fromkeys(CODE.findall(html)))  # in page order, each once


@pytest.fixture
def three(desk, clock):
    """Three cases at the clerk's window, an hour apart; only the last names 王五."""
    codes = [desk.open(title="邻里排水纠纷").code]
    clock.advance(hours=1)
    codes.append(desk.open(category="labour", title="拖欠工资纠纷").code)
    clock.advance(hours=1)
    codes.append(desk.open(title="宅基地纠纷", parties=[
        {"name": "王五", "role": "applicant", "phone": "13911112222"}]).code)
    return codes


@pytest.mark.parametrize(("query", "expected"), [
    ("", [2, 1, 0]),                # newest first
    ("q=王五", [2]),                # by party name: the API searched titles only before
    ("q=纠纷", [2, 1, 0]),          # by title
    ("category=labour", [1]),
    ("channel=walk_in&status=in_progress", [2, 1, 0]),
])
@pytest.mark.parametrize("username", ["clerk", "supervisor", "hrss"])
def test_web_and_api_search_alike(app, three, make_user, username, query, expected):
    web = _web_codes(_web(app, username), query)
    api = [item["code"] for item in make_user(username).get(
        f"/api/v1/cases?per_page=100&{query}").json["items"]]
    assert web == api
    if username != "hrss":  # 人社 sees only the labour case, once its task is offered to them
        assert api == [three[i] for i in expected]


def test_web_and_api_show_the_same_route_map(app, desk, make_user, clock):
    case = desk.open()
    [grid] = desk.tasks(case)
    assert grid.bpmn_id == "level_mediation"
    desk.do(grid, "grid", {"result": "failed", "summary": "双方分歧较大，本级无法化解"})
    clock.advance(hours=2)
    row = db.session.get(Case, case.id)
    steps = route_map(row, clock.now()).steps
    assert len(steps) >= 2
    detail = make_user("clerk").get(f"/api/v1/cases/{case.code}").json
    assert [(s["title"], s["procedure"], s["who"], s["state"], s["created_at"][:16])
            for s in detail["route_map"]] == [
        (s.title, s.procedure, s.who, s.task_state, s.started.isoformat()[:16]) for s in steps]
    html = _web(app, "clerk").get(f"/cases/{case.code}").get_data(as_text=True)
    shown = [html.index(s.title) for s in steps]
    assert shown == sorted(shown)  # the page lists the same steps in the same order
