"""Lane resolutions are remembered, but never past a committed change of the organisation."""

from sqlalchemy import select

from app.extensions import db
from app.org import lanes
from app.org.models import LaneRule, Role
from app.unit_of_work import run_unit

GRID = "zy-1-1-1-1"


def _rule(lane: str) -> LaneRule:
    return db.session.scalar(select(LaneRule).where(LaneRule.lane == lane))


def test_a_committed_rule_change_is_seen_at_once(org):
    grid = org.unit(GRID).id
    before = lanes.resolve("乡镇综治中心", grid)
    assert before.role == Role.MEDIATOR
    assert lanes.resolve("乡镇综治中心", grid) is before  # remembered

    def change():
        _rule("乡镇综治中心").role = Role.CENTER_COORDINATOR
    run_unit(change)

    after = lanes.resolve("乡镇综治中心", grid)
    assert (after.org_unit_id, after.role) == (before.org_unit_id, Role.CENTER_COORDINATOR)


def test_a_transaction_sees_its_own_change_and_a_rollback_leaves_nothing_behind(org):
    grid = org.unit(GRID).id
    assert lanes.resolve("乡镇综治中心", grid).role == Role.MEDIATOR
    _rule("乡镇综治中心").role = Role.CENTER_COORDINATOR
    db.session.flush()
    assert lanes.resolve("乡镇综治中心", grid).role == Role.CENTER_COORDINATOR  # its own, uncommitted
    db.session.rollback()
    assert lanes.resolve("乡镇综治中心", grid).role == Role.MEDIATOR  # the memo was not poisoned


def test_what_a_resolution_reads_is_remembered_for_the_next_location(org):
    from tests.api.test_instances import statements  # noqa: PLC0415

    first, second = org.unit(GRID).id, org.unit("zy-1-1-1-2").id
    lanes.resolve("乡镇综治中心", first)
    with statements() as sent:
        answer = lanes.resolve("乡镇综治中心", second)
    assert answer.org_unit_id == org.unit("zy-1-1").id
    assert not [s for s in sent if "lane_rule" in s], sent  # the lane's rule: remembered
    with statements() as sent:
        assert lanes.resolve("乡镇综治中心", second) is answer
    assert sent == []


def test_a_department_is_found_for_a_new_location_without_reading_the_departments_again(org):
    from tests.api.test_instances import statements  # noqa: PLC0415

    first, second = org.unit(GRID).id, org.unit("zy-1-1-1-2").id
    assert lanes.department_for("hrss", first).code == "hrss"
    with statements() as sent:
        found = lanes.department_id_for("hrss", second)
    assert found == lanes.department_for("hrss", first).id  # the county's 人社局 serves both grids
    assert not [s for s in sent if "department" in s], sent  # only the new grid's chain is read
