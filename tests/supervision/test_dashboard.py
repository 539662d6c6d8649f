"""态势大屏: who sees it, its figures against hand counts, click-through lists, grid outlines."""

import io
import json

import pytest

from app.dashboard import geo
from app.dashboard.models import GridShape
from app.extensions import db
from tests.helpers import sign_in
from tests.processes.conftest import local
from tests.supervision.dashboard_data import seed_dashboard


@pytest.mark.parametrize(("username", "status"), [("coordinator", 200), ("supervisor", 200), ("grid", 403),
                                                  ("hrss", 403), (None, 302)])
def test_coordinators_and_supervisors_see_the_dashboard(client, no_csrf, org, username, status):
    if username:
        sign_in(client, username)
    assert client.get("/dashboard/").status_code == status
    assert client.get("/dashboard/data.json").status_code == status


def test_figures_agree_with_the_cases_and_each_opens_its_list(client, no_csrf, org, clock, desk):
    clock.set(local(2026, 3, 2, 9, 0))
    overdue_case = desk.open(risk_tier="orange")  # its grid task is due at the end of 3 March
    clock.set(local(2026, 3, 4, 10, 0))
    expected = seed_dashboard(clock)
    sign_in(client, "coordinator")
    data = client.get("/dashboard/data.json").json
    assert {line["key"]: line["count"] for line in data["intake_today"]} == expected["today"]
    assert {t["key"]: t["count"] for t in data["risks"]} == {"red": expected["red"],
                                                            "orange": expected["orange"] + 1}
    counts = {f["properties"]["code"]: f["properties"]["count"] for f in data["map"]["features"]}
    assert len(counts) == 8  # 甘州区 has 8 grids (the demo has 48 in all)
    assert {code: n for code, n in counts.items() if n} == {
        **expected["grid"], "zy-1-1-1-1": expected["grid"].get("zy-1-1-1-1", 0) + 1}
    [overdue] = data["overdue_by_handler"]
    assert overdue["count"] == 1 and overdue["label"].endswith("网格员")
    assert data["trend"]["definition"].startswith("化解率 = ")

    listed = client.get(f"/dashboard/list?figure=overdue&key={overdue['key']}").data.decode()
    assert overdue_case.code in listed
    red = client.get("/dashboard/list?figure=risk&key=red").data.decode()
    assert red.count('href="/cases/ZY-') == expected["red"]
    busiest = max(data["map"]["features"], key=lambda f: f["properties"]["count"])["properties"]
    grid_list = client.get(f"/dashboard/list?figure=grid&key={busiest['id']}").data.decode()
    assert grid_list.count('href="/cases/ZY-') == busiest["count"]
    assert client.get("/dashboard/list?figure=nope").status_code == 422


def _upload(collection):
    return (io.BytesIO(json.dumps(collection).encode()), "grids.geojson")


def test_the_admin_loads_grid_outlines_and_a_bad_feature_refuses_the_file(client, no_csrf, org, clock):
    good = geo.demo_collection()
    assert len(good["features"]) == 48
    point = {"type": "Point", "coordinates": [1, 2]}
    bad = {"type": "FeatureCollection", "features": [
        good["features"][0], {"type": "Feature", "properties": {"code": "zy-404"}, "geometry": point}]}
    sign_in(client, "coordinator")
    assert client.post("/dashboard/grids", data={"file": (io.BytesIO(b"{}"), "g.geojson")}).status_code == 403
    sign_in(client, "admin")
    refused = client.post("/dashboard/grids", data={"file": _upload(bad)})
    assert refused.status_code == 422
    assert db.session.query(GridShape).count() == 0
    loaded = client.post("/dashboard/grids", data={"file": _upload(good)})
    assert loaded.status_code == 302
    assert db.session.query(GridShape).count() == 48


def test_the_cli_ships_the_demo_polygons(app, org):
    result = app.test_cli_runner().invoke(args=["dashboard", "demo-grids"])
    assert "48" in result.output
    assert db.session.query(GridShape).count() == 48


def test_seed_demo_ships_the_grid_outlines_so_the_map_shows_at_once(app, runner, client, no_csrf):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0 and "网格边界 48 个" in first.output
    sign_in(client, "coordinator")
    features = client.get("/dashboard/data.json").json["map"]["features"]
    assert len(features) == 8 and all(f["geometry"]["type"] == "Polygon" for f in features)  # 甘州区's grids
    # an outline the admin uploaded is kept when the demo is seeded again
    shape = db.session.query(GridShape).first()
    kept = {"type": "Polygon", "coordinates": [[[100, 38], [100.1, 38], [100.1, 38.1], [100, 38]]]}
    shape.geometry = kept
    db.session.commit()
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0 and "网格边界 0 个" in again.output
    db.session.expire_all()
    assert db.session.query(GridShape).count() == 48
    assert db.session.get(GridShape, shape.org_unit_id).geometry == kept
