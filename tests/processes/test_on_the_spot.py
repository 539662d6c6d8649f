"""Route: simple dispute mediated on the spot at the center, then the return visit and 销号."""

from app.cases.models import CaseStatus
from app.workflow.models import InstanceStatus
from tests.processes.conftest import end_of, local, resolved


def test_on_the_spot_success_then_clean_return_visit_closes_the_case(desk, org, clock):
    # Friday 13 Feb 2026; Saturday 14 Feb is a make-up workday before the Spring Festival.
    clock.set(local(2026, 2, 13, 9, 0))
    case = desk.open(category="consumer", amount=800, title="网购家电退货纠纷")
    assert case.code == "ZY-2026-000001"
    assert (case.route, case.status) == ("on_the_spot", CaseStatus.IN_PROGRESS)

    [task] = desk.tasks(case)
    assert (task.bpmn_id, task.lane) == ("on_the_spot", "乡镇综治中心")
    assert task.candidate_org_unit_id == org.unit("zy-1-1").id
    assert task.due_at == end_of(2026, 2, 14)  # one working day: the make-up Saturday
    assert desk.case(case.code).current_due_at == end_of(2026, 2, 14)

    clock.set(local(2026, 2, 14, 10, 0))
    desk.do(task, "mediator", resolved())
    case = desk.case(case.code)
    assert case.status == CaseStatus.RESOLVED
    assert case.agreement["terms"] == "共同出资改建排水沟，费用各半。"
    assert desk.tasks(case) == []
    # Return visit after 7 natural days: Sat 21 Feb is in the holiday → next working day.
    assert desk.instance(case).next_timer_at == end_of(2026, 2, 24)

    desk.at(local(2026, 2, 24, 23, 0))
    assert desk.tasks(case) == []
    desk.at(local(2026, 2, 25, 0, 0, 1))
    [visit] = desk.tasks(case)
    assert (visit.bpmn_id, visit.lane, visit.candidate_org_unit_id) == (
        "visit", "乡镇综治中心", org.unit("zy-1-1").id)
    assert visit.due_at == end_of(2026, 2, 26)

    desk.do(visit, "mediator", {
        "state_of_mind": "情绪平稳", "abnormal_behaviour": False, "mediation_opinion": "satisfied",
        "performance": "performed", "new_signs": False})
    case = desk.case(case.code)
    assert case.status == CaseStatus.CLOSED
    assert case.return_visit["mediation_opinion"] == "satisfied"
    assert case.closed_at == local(2026, 2, 25, 0, 0, 1)
    assert desk.instance(case).status == InstanceStatus.COMPLETED
    assert desk.tasks(case) == []
