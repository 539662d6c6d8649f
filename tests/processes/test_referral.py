"""Route: 三调对接 — petitions (15 days to accept, 60 to handle, extension ≤ 30 with approval),
pre-suit mediation referred by the court, police mediation."""

from app.cases.models import CaseStatus
from app.org.models import Role
from tests.processes.conftest import end_of, local, resolved


def test_petition_is_accepted_extended_with_approval_and_resolved(desk, org, clock, handlers):
    case = desk.open(channel="petition", category="other", title="信访转来的宅前道路纠纷",
                     external_ref="XF-2026-0315")
    [accept] = desk.tasks(case)
    petition = org.department("petition").id
    assert (accept.bpmn_id, accept.candidate_department_id) == ("petition_accept", petition)
    assert accept.due_at == end_of(2026, 3, 17)  # 15 natural days

    clock.set(local(2026, 3, 6, 10, 0))
    desk.do(accept, "petition", {"acceptance_opinion": "予以受理", "petitioner_notified": True})
    [handle] = desk.tasks(case)
    # 60 days from acceptance end on Tue 5 May, the last day of the Labour Day holiday.
    assert handle.due_at == end_of(2026, 5, 6)

    desk.do(handle, "petition", {"handle_decision": "extend", "handling_summary": "涉及多部门，情况复杂"})
    [approval] = desk.tasks(case)
    assert (approval.bpmn_id, approval.lane, approval.candidate_role) == (
        "extension_approval", "督办", Role.SUPERVISOR)
    desk.do(approval, "supervisor", {"extension_approved": True, "extension_days": 30,
                                     "petitioner_notice": "需协调自然资源、住建两部门，延期三十日"})
    [handle] = desk.tasks(case)
    assert handle.due_at == end_of(2026, 6, 5)

    desk.do(handle, "petition", {"handle_decision": "resolved", "handling_summary": "道路已修通"})
    case = desk.case(case.code)
    assert (case.status, case.route, case.handling_department) == (
        CaseStatus.RESOLVED, "referral", "petition")


def test_court_referral_is_mediated_before_suit(desk, org, clock):
    case = desk.open(channel="court", category="contract", title="买卖合同纠纷诉前调解")
    [task] = desk.tasks(case)
    assert (task.bpmn_id, task.candidate_department_id) == (
        "pre_suit_mediation", org.department("mediation").id)
    assert task.due_at == end_of(2026, 4, 1)  # 30 natural days


def test_traffic_accident_goes_to_police_mediation(desk, org, clock, handlers):
    case = desk.open(category="traffic", title="交通事故赔偿纠纷")
    [task] = desk.tasks(case)
    assert (task.bpmn_id, task.candidate_department_id) == ("police_mediation", org.department("police").id)
    desk.do(task, "police", resolved())
    assert desk.case(case.code).status == CaseStatus.RESOLVED

