"""`app.cases.access`: who lists a case, who handles it (unmasked), who registers — on factories."""

import pytest

from app.cases import access
from app.channels.scope import Scope
from app.errors import Forbidden
from app.extensions import db
from app.org.models import OrgLevel, Role
from app.org.services import load_actor
from tests.factories import (
    NOW,
    CaseFactory,
    DepartmentFactory,
    HumanTaskFactory,
    OrgUnitFactory,
    UserFactory,
)


@pytest.fixture
def place(app):
    county = OrgUnitFactory(level=OrgLevel.COUNTY)
    township = OrgUnitFactory(parent=county, level=OrgLevel.TOWNSHIP)
    grid = OrgUnitFactory(parent=OrgUnitFactory(parent=township, level=OrgLevel.VILLAGE),
                          level=OrgLevel.GRID)
    elsewhere = OrgUnitFactory(parent=OrgUnitFactory(level=OrgLevel.COUNTY), level=OrgLevel.TOWNSHIP)
    court = DepartmentFactory(code="court", org_unit=county)
    case = CaseFactory(org_unit=grid, channel="hotline")
    return {"county": county, "township": township, "grid": grid, "elsewhere": elsewhere,
            "court": court, "case": case}


def actor_of(**membership):
    return load_actor(UserFactory(memberships=[membership] if membership else []).id)


def listed(actor, case) -> bool:
    return access.can_view(actor, case)


def test_a_post_above_the_location_lists_the_case_but_does_not_handle_it(place):
    supervisor = actor_of(org_unit=place["county"], role=Role.SUPERVISOR)
    assert listed(supervisor, place["case"])
    assert not access.in_handling_scope(supervisor, place["case"])


def test_a_post_in_another_county_neither_lists_nor_handles(place):
    stranger = actor_of(org_unit=place["elsewhere"], role=Role.CENTER_COORDINATOR)
    assert not listed(stranger, place["case"])
    assert not access.in_handling_scope(stranger, place["case"])


def test_the_receiving_clerk_lists_and_handles(place):
    clerk = UserFactory(memberships=[{"org_unit": place["elsewhere"], "role": Role.WINDOW_CLERK}])
    place["case"].received_by_id = clerk.id
    db.session.flush()
    actor = load_actor(clerk.id)
    assert listed(actor, place["case"]) and access.in_handling_scope(actor, place["case"])


def test_a_department_offered_a_task_lists_and_handles_the_case(place):
    judge = actor_of(department=place["court"], role=Role.HANDLER)
    assert not listed(judge, place["case"])
    HumanTaskFactory(business_key=place["case"].code, candidate_department_id=place["court"].id)
    assert listed(judge, place["case"]) and access.in_handling_scope(judge, place["case"])


def test_a_role_offer_at_a_unit_needs_that_role_there(place):
    HumanTaskFactory(business_key=place["case"].code, candidate_org_unit_id=place["elsewhere"].id,
                     candidate_role=Role.MEDIATOR)
    mediator = actor_of(org_unit=place["elsewhere"], role=Role.MEDIATOR)
    clerk = actor_of(org_unit=place["elsewhere"], role=Role.WINDOW_CLERK)
    assert access.in_handling_scope(mediator, place["case"])
    assert not access.in_handling_scope(clerk, place["case"])


def test_who_completed_a_task_keeps_handling_the_case(place):
    done_by = UserFactory()
    HumanTaskFactory(business_key=place["case"].code, completed_by_id=done_by.id,
                     candidate_department_id=place["court"].id)
    actor = load_actor(done_by.id)
    assert listed(actor, place["case"]) and access.in_handling_scope(actor, place["case"])


@pytest.mark.parametrize(("units", "channels", "seen"), [
    (None, None, True), ("county", None, True), ("elsewhere", None, False),
    (None, {"hotline"}, True), (None, {"walk_in"}, False), ("county", {"walk_in"}, False),
])
def test_an_integration_key_sees_its_units_and_channels_never_unmasked(place, units, channels, seen):
    scope = Scope(unit_ids=frozenset({place[units].id}) if units else None,
                  channels=frozenset(channels) if channels else None)
    assert access.may_view(None, scope, place["case"]) is seen
    assert not access.in_handling_scope(None, place["case"])


def test_a_window_clerk_registers_only_under_their_posts_and_not_at_retired_units(place):
    clerk = actor_of(org_unit=place["township"], role=Role.WINDOW_CLERK)
    access.check_intake(clerk, place["grid"])
    with pytest.raises(Forbidden):
        access.check_intake(clerk, place["elsewhere"])
    offered = {u.id for u in access.intake_units(clerk, OrgLevel.GRID)}
    assert offered == {place["grid"].id}
    place["grid"].retired_at = NOW
    db.session.flush()
    assert access.intake_units(clerk, OrgLevel.GRID) == []


def test_someone_without_a_window_post_registers_nowhere(place):
    with pytest.raises(Forbidden, match="综合受理"):
        access.intake_units(actor_of(org_unit=place["county"], role=Role.SUPERVISOR))
