"""Route: 四级七天 — grid worker 1 → village committee 2 → township center 2 → township government 2
working days, then the county center."""

from app.cases.models import CaseStatus
from app.org.models import Role
from tests.processes.conftest import end_of, local, resolved

FAILED = {"result": "failed", "summary": "双方分歧较大，本级无法化解"}


def test_resolved_at_level_two_after_level_one_deadline_passed(desk, org, clock):
    # Wed 30 Sep 2026; National Day 1–7 Oct off, Sat 10 Oct a make-up workday.
    clock.set(local(2026, 9, 30, 9, 0))
    case = desk.open()
    [grid] = desk.tasks(case)
    assert (grid.bpmn_id, grid.lane, grid.candidate_role) == ("level_mediation", "网格员", Role.GRID_WORKER)
    assert grid.candidate_org_unit_id == org.unit("zy-1-1-1-1").id
    assert grid.due_at == end_of(2026, 10, 8)  # 1 working day, across the holiday
    assert desk.case(case.code).level == "网格员首调"

    desk.at(local(2026, 10, 8, 23, 59))
    assert [t.id for t in desk.tasks(case)] == [grid.id]
    desk.at(local(2026, 10, 9, 0, 0, 1))
    [village] = desk.tasks(case)
    assert (village.lane, village.candidate_role) == ("村调委会", Role.MEDIATOR)
    assert village.candidate_org_unit_id == org.unit("zy-1-1-1").id
    # Two working days counted from level one's deadline: Fri 9 and the make-up Sat 10 Oct.
    assert village.due_at == end_of(2026, 10, 10)
    case = desk.case(case.code)
    assert (case.route, case.level, case.current_due_at) == ("four_levels", "村（社区）调委会调解",
                                                             end_of(2026, 10, 10))

    desk.do(village, "village", resolved())
    case = desk.case(case.code)
    assert (case.status, case.level, case.result) == (CaseStatus.RESOLVED, "村（社区）调委会调解", "resolved")
    assert desk.tasks(case) == []


def test_exhausted_ladder_goes_to_the_county_center(desk, org, clock):
    case = desk.open()  # Monday 2 March 2026, 09:00
    [grid] = desk.tasks(case)
    assert grid.due_at == end_of(2026, 3, 3)

    desk.at(local(2026, 3, 4, 0, 0, 1))
    [village] = desk.tasks(case)
    assert village.due_at == end_of(2026, 3, 5)

    desk.at(local(2026, 3, 6, 0, 0, 1))
    [township] = desk.tasks(case)
    assert (township.lane, township.candidate_org_unit_id, township.candidate_role) == (
        "乡镇综治中心", org.unit("zy-1-1").id, Role.MEDIATOR)
    assert township.due_at == end_of(2026, 3, 9)  # across the weekend

    clock.set(local(2026, 3, 6, 10, 0))
    desk.do(township, "mediator", FAILED)  # gives up early: the next level counts from now
    [government] = desk.tasks(case)
    assert (government.lane, government.candidate_org_unit_id, government.candidate_role) == (
        "乡镇党委政府", org.unit("zy-1-1").id, Role.HANDLER)
    assert government.due_at == end_of(2026, 3, 10)

    desk.at(local(2026, 3, 11, 0, 0, 1))
    [county] = desk.tasks(case)
    assert (county.bpmn_id, county.lane, county.candidate_org_unit_id) == (
        "county_handling", "县综治中心", org.unit("zy-1").id)
    assert county.due_at == end_of(2026, 4, 10)  # people's mediation: 30 natural days
    assert desk.case(case.code).level == "县综治中心"

    desk.do(county, "coordinator", FAILED)
    [record] = desk.tasks(case)
    assert (record.bpmn_id, record.lane, record.due_at) == (
        "failure_record", "综治中心调度", end_of(2026, 3, 12))
    desk.do(record, "coordinator", {"next_route": "litigation", "failure_reason": "一方坚持起诉",
                                    "parties_informed": True})
    case = desk.case(case.code)
    assert (case.status, case.next_route) == (CaseStatus.UNRESOLVED, "litigation")
    assert desk.tasks(case) == []
