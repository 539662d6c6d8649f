"""The web and the API show every demo user the same cases, masked the same way, with the same 403s."""

import re

import pytest

from app.cases import services as cases
from app.org.demo import DEMO_PASSWORD
from app.unit_of_work import run_unit
from tests.processes.conftest import intake

USERS = ["clerk", "mediator", "grid", "village", "township", "coordinator", "hrss", "supervisor",
         "designer", "admin"]
CODE = re.compile(r"\b[A-Z]+-\d{4}-\d{6}\b")
PHONE = "13912345678"
# what each user may open (the web's rule, unchanged): by case label, see `spread`
EXPECTED = {
    "clerk": {"home", "home_labour"},  # received at their window
    "mediator": {"home", "home_labour"},
    "grid": {"home", "home_labour"},
    "village": {"home", "home_labour"},
    "township": {"home", "home_labour"},
    "coordinator": {"home", "home_labour", "other_township", "other_township_labour"},
    "hrss": {"home_labour", "other_township_labour"},  # tasks offered to 人社 only
    "supervisor": {"home", "home_labour", "other_township", "other_township_labour"},
    "designer": {"home", "home_labour", "other_township", "other_township_labour", "other_county"},
    "admin": {"home", "home_labour", "other_township", "other_township_labour", "other_county"},
}


@pytest.fixture
def spread(desk, org, clock):
    """Cases at the clerk's grid, in another township of the county, and in another county."""
    def elsewhere(grid, **overrides):
        return run_unit(lambda: cases.open_case(intake(**overrides), org_unit_id=org.unit(grid).id,
                                                clock=clock)).code
    return {
        "home": desk.open().code,
        "home_labour": desk.open(category="labour", title="拖欠工资纠纷").code,
        "other_township": elsewhere("zy-1-2-1-1"),
        "other_township_labour": elsewhere("zy-1-2-1-1", category="labour", title="工资纠纷"),
        "other_county": elsewhere("zy-2-1-1-1"),
    }


def _web(app, username):
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return client


def _web_view(client, code):
    response = client.get(f"/cases/{code}")
    return response.status_code, PHONE in response.get_data(as_text=True)


def _api_view(caller, code):
    response = caller.get(f"/api/v1/cases/{code}")
    if response.status_code != 200:
        return response.status_code, False
    return 200, any(p["phone"] == PHONE for p in response.json["parties"])


@pytest.mark.parametrize("username", USERS)
def test_web_and_api_agree(app, spread, make_user, username):
    web, api = _web(app, username), make_user(username)
    labels = {code: label for label, code in spread.items()}
    web_list = {labels[c] for c in CODE.findall(web.get("/cases/").get_data(as_text=True)) if c in labels}
    api_list = {labels[item["code"]] for item in api.get("/api/v1/cases?per_page=100").json["items"]}
    assert web_list == api_list == EXPECTED[username]
    for label, code in spread.items():
        web_status, web_unmasked = _web_view(web, code)
        api_status, api_unmasked = _api_view(api, code)
        assert (web_status, web_unmasked) == (api_status, api_unmasked), (label, username)
        assert web_status == (200 if label in EXPECTED[username] else 403), (label, username)


@pytest.mark.parametrize(("username", "unmasked"), [
    ("clerk", {"home", "home_labour"}),       # received them
    ("grid", {"home"}),                       # the grid task of the neighbour case
    ("hrss", {"home_labour", "other_township_labour"}),  # 人社's mediation task
    ("supervisor", set()),                    # sees the county, handles none: masked
    ("coordinator", set()),
    ("admin", set()),
])
def test_only_handlers_see_personal_data(app, spread, make_user, username, unmasked):
    api = make_user(username)
    shown = {label for label, code in spread.items() if _api_view(api, code) == (200, True)}
    assert shown == unmasked


def test_a_channel_key_reads_only_its_channel(spread, make_key, org, clock):
    hotline = make_key(channels=("hotline_12345",))
    assert hotline.get("/api/v1/cases").json["items"] == []
    assert hotline.get(f"/api/v1/cases/{spread['home']}").status_code == 403
    walk_in = make_key(channels=("walk_in",), units=("zy-1-1",))
    assert {i["code"] for i in walk_in.get("/api/v1/cases").json["items"]} == {
        spread["home"], spread["home_labour"]}
    [item] = [i for i in walk_in.get("/api/v1/cases").json["items"] if i["code"] == spread["home"]]
    assert item["parties"][0]["phone"] == "139****5678"  # keys always read masked data


@pytest.mark.parametrize("username", ["grid", "supervisor", "designer", "hrss", "coordinator"])
def test_only_window_clerks_register_cases_through_the_api(make_user, processes, username):
    body = {**intake(), "org_unit": "zy-1-1-1-1"}
    response = make_user(username).post("/api/v1/cases", json=body)
    assert response.status_code == 403 and response.json["code"] == "forbidden"


def test_a_clerk_registers_only_under_their_posts(make_user, processes):
    clerk = make_user("clerk")
    assert clerk.post("/api/v1/cases", json={**intake(), "org_unit": "zy-1-1-1-1"}).status_code == 201
    other = clerk.post("/api/v1/cases", json={**intake(), "org_unit": "zy-2-1-1-1"})
    assert other.status_code == 403
