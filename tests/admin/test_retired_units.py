"""A retired org unit is offered nowhere a unit is chosen for new work, and is refused there."""

import pytest
from sqlalchemy import func, select

from app.cases.models import Case
from app.extensions import db
from app.org.models import Department, OrgUnit, StationingMode
from app.unit_of_work import run_unit
from tests.api.conftest import case_body  # noqa: F401 - fixture
from tests.channels.conftest import hotline, order  # noqa: F401 - fixture
from tests.channels.test_grid_app import HAZARD
from tests.functional.test_window_intake import _form
from tests.helpers import post_sign_in

RETIRED = "zy-1-1-1-2"   # 梁家墩镇第1村第2网格, under the clerk's post
WORKED = "zy-1-1-1-1"    # the demo grid worker's grid


def _retire(org, clock, code: str) -> OrgUnit:
    unit_id = org.unit(code).id
    run_unit(lambda: setattr(db.session.get(OrgUnit, unit_id), "retired_at", clock.now()))
    return db.session.get(OrgUnit, unit_id)


def _cases() -> int:
    return db.session.scalar(select(func.count()).select_from(Case))


def test_the_window_neither_offers_nor_accepts_a_retired_grid(client, processes, org, clock):  # noqa: F811
    retired = _retire(org, clock, RETIRED)
    post_sign_in(client, "clerk")
    page = client.get("/cases/new").get_data(as_text=True)
    assert f'value="{retired.id}"' not in page and f'value="{org.unit(WORKED).id}"' in page
    response = client.post("/cases/new", data=_form(org, org_unit_id=retired.id))
    assert response.status_code == 422 and _cases() == 0


def test_the_api_refuses_a_retired_grid_with_the_field_path(processes, make_key, org, clock):  # noqa: F811
    _retire(org, clock, RETIRED)
    response = make_key().post("/api/v1/cases", json=case_body(org_unit=RETIRED))
    assert response.status_code == 422, response.json
    assert "已撤销" in response.json["errors"]["org_unit"][0] and _cases() == 0


def test_the_grid_app_neither_offers_nor_accepts_a_retired_grid(client, processes, org, clock):  # noqa: F811
    _retire(org, clock, WORKED)
    post_sign_in(client, "grid")
    page = client.get("/grid/app").get_data(as_text=True)
    assert f'value="{WORKED}"' not in page
    response = client.post("/grid/reports", data={**HAZARD, "external_id": "app-r1"})
    assert response.status_code == 403 and _cases() == 0


@pytest.fixture
def township_department(org):
    """A 随驻 department at the 沙井镇 township (zy-1-2), which is then retired."""
    def make():
        department = Department(code="water", name="水务站", stationing=StationingMode.ON_CALL,
                                org_unit_id=org.unit("zy-1-2").id)
        db.session.add(department)
        db.session.flush()
        return department.id
    return run_unit(make)


def test_admin_membership_forms_offer_no_retired_unit_nor_its_departments(
        client, org, clock, township_department):
    retired = _retire(org, clock, "zy-1-2")
    post_sign_in(client, "admin")
    for url in ("/admin/users", f"/admin/users/{org.actor('grid').user_id}"):
        page = client.get(url).get_data(as_text=True)
        assert f'value="u:{retired.id}"' not in page, url
        assert f'value="d:{township_department}"' not in page, url
        assert f'value="u:{org.unit("zy-1-1").id}"' in page, url
    response = client.post("/admin/users/new", data={"username": "water1", "display_name": "水务",
                                                     "place": f"d:{township_department}", "role": "承办人"})
    assert response.status_code == 422 and "已撤销" in response.get_data(as_text=True)


def test_a_12345_order_for_a_retired_grid_is_refused_on_grid_code(processes, hotline, org, clock):  # noqa: F811
    _retire(org, clock, RETIRED)
    response = hotline(order(grid_code=RETIRED))
    assert response.status_code == 422 and "grid_code" in response.json["errors"], response.json
