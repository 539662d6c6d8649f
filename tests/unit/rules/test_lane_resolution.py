"""`app.org.lanes` on a hand-built tree (factories), not the demo city."""

from datetime import date, datetime

import pytest

from app.extensions import db
from app.org import lanes
from app.org.models import DepartmentUnit, OrgLevel, Role, StationingMode
from tests.factories import (
    DepartmentFactory,
    LaneRuleFactory,
    OrgUnitFactory,
    StationingPeriodFactory,
)


@pytest.fixture
def tree(app):
    """city → county → township → village → grid, and a second county."""
    lanes.forget()
    city = OrgUnitFactory(level=OrgLevel.CITY)
    county = OrgUnitFactory(parent=city, level=OrgLevel.COUNTY)
    township = OrgUnitFactory(parent=county, level=OrgLevel.TOWNSHIP)
    village = OrgUnitFactory(parent=township, level=OrgLevel.VILLAGE)
    grid = OrgUnitFactory(parent=village, level=OrgLevel.GRID)
    other = OrgUnitFactory(parent=city, level=OrgLevel.COUNTY)
    other_township = OrgUnitFactory(parent=other, level=OrgLevel.TOWNSHIP)
    return {"city": city, "county": county, "township": township, "village": village,
            "grid": grid, "other": other, "other_township": other_township}


def test_a_role_lane_picks_the_ancestor_at_its_level(tree):
    LaneRuleFactory(lane="village_mediation", org_level=OrgLevel.VILLAGE, role=Role.MEDIATOR)
    found = lanes.resolve("village_mediation", tree["grid"].id)
    assert found == lanes.Candidates(org_unit_id=tree["village"].id, role=Role.MEDIATOR)


def test_a_department_lane_picks_the_nearest_department_up_the_tree(tree):
    DepartmentFactory(code="court", org_unit=tree["city"])
    near = DepartmentFactory(code="court", org_unit=tree["county"])
    LaneRuleFactory(lane="court_lane", department_code="court", role=Role.HANDLER)
    assert lanes.resolve("court_lane", tree["grid"].id) == lanes.Candidates(
        department_id=near.id, role=Role.HANDLER)


def test_a_department_of_another_county_is_never_picked(tree):
    DepartmentFactory(code="hrss", org_unit=tree["other"])
    with pytest.raises(lanes.LaneError, match="hrss"):
        lanes.resolve(None, tree["grid"].id, department_code="hrss")


def test_a_department_serving_a_further_unit_is_found_there(tree):
    neighbour = DepartmentFactory(code="hrss", org_unit=tree["other"])
    db.session.add(DepartmentUnit(department_id=neighbour.id, org_unit_id=tree["township"].id))
    db.session.flush()
    assert lanes.resolve(None, tree["grid"].id, department_code="hrss").department_id == neighbour.id
    # and its home county still finds it
    assert lanes.resolve(None, tree["other_township"].id, department_code="hrss").department_id \
        == neighbour.id


def test_the_named_department_overrides_the_lane_rule(tree):
    LaneRuleFactory(lane="village_mediation", org_level=OrgLevel.VILLAGE, role=Role.MEDIATOR)
    court = DepartmentFactory(code="court", org_unit=tree["county"])
    found = lanes.resolve("village_mediation", tree["grid"].id, department_code="court")
    assert found.department_id == court.id and found.role == Role.MEDIATOR


def test_a_rotating_department_off_rotation_is_passed_over_for_the_next_one_up(tree):
    city_court = DepartmentFactory(code="court", org_unit=tree["city"])
    rotating = DepartmentFactory(code="court", org_unit=tree["county"], stationing=StationingMode.ROTATING)
    StationingPeriodFactory(department=rotating, starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 31))
    inside = datetime.fromisoformat("2026-03-15T10:00:00+08:00")
    after = datetime.fromisoformat("2026-04-01T10:00:00+08:00")
    assert lanes.resolve(None, tree["grid"].id, "court", at=inside).department_id == rotating.id
    assert lanes.resolve(None, tree["grid"].id, "court", at=after).department_id == city_court.id


def test_a_rotating_department_alone_and_away_is_named_in_the_refusal(tree):
    rotating = DepartmentFactory(code="court", name="县法院", org_unit=tree["county"],
                                 stationing=StationingMode.ROTATING)
    StationingPeriodFactory(department=rotating, starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 31))
    with pytest.raises(lanes.LaneError, match="县法院.*轮驻"):
        lanes.resolve(None, tree["grid"].id, "court", at=datetime.fromisoformat("2026-05-06T10:00:00+08:00"))


def test_a_rotating_department_with_no_periods_recorded_counts_as_stationed(tree):
    rotating = DepartmentFactory(code="court", org_unit=tree["county"], stationing=StationingMode.ROTATING)
    at = datetime.fromisoformat("2026-05-06T10:00:00+08:00")
    assert lanes.resolve(None, tree["grid"].id, "court", at=at).department_id == rotating.id


@pytest.mark.parametrize(("lane", "message"), [("nobody", "没有分派规则"), (None, "没有分派规则")])
def test_an_unknown_lane_is_refused_in_chinese(tree, lane, message):
    with pytest.raises(lanes.LaneError, match=message):
        lanes.resolve(lane, tree["grid"].id)


def test_a_level_missing_above_the_location_is_refused(tree):
    LaneRuleFactory(lane="grid_lane", org_level=OrgLevel.GRID, role=Role.GRID_WORKER)
    with pytest.raises(lanes.LaneError, match="级的单位"):
        lanes.resolve("grid_lane", tree["township"].id)


def test_a_case_without_location_cannot_be_routed(tree):
    with pytest.raises(lanes.LaneError, match="没有所在地"):
        lanes.resolve("any", None)
