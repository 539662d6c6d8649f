"""Return visit (回访): new signs of dispute open a linked follow-up case; the case code sequence."""

from app.cases import services as cases
from app.cases.models import CaseStatus
from app.workflow.models import InstanceStatus
from tests.processes.conftest import end_of, local, resolved

VISIT = {"state_of_mind": "情绪仍有波动", "abnormal_behaviour": True,
         "abnormal_detail": "多次到对方家门口争吵",
         "mediation_opinion": "basically_satisfied", "performance": "performing", "new_signs": True,
         "new_signs_detail": "排水沟改建后又因占用通道发生争执"}


def test_new_signs_at_the_return_visit_open_a_linked_case(desk, org, clock):
    case = desk.open(category="consumer", amount=500, title="排水沟费用纠纷")
    desk.do(desk.task(case, "on_the_spot"), "mediator", resolved())
    assert desk.instance(case).next_timer_at == end_of(2026, 3, 9)  # 7 natural days

    desk.at(local(2026, 3, 10, 8, 30))
    visit = desk.task(case, "visit")
    assert visit.due_at == end_of(2026, 3, 11)
    desk.do(visit, "mediator", VISIT)

    case = desk.case(case.code)
    assert case.status == CaseStatus.REOPENED
    assert case.return_visit["new_signs"] is True
    assert desk.instance(case).status == InstanceStatus.COMPLETED
    [follow_up] = cases.follow_ups(case)
    assert follow_up.code == "ZY-2026-000002"
    assert (follow_up.parent_id, follow_up.channel, follow_up.external_ref) == (
        case.id, "follow_up", case.code)
    assert follow_up.narrative == VISIT["new_signs_detail"]
    assert [p.id_number for p in follow_up.parties] == ["620702198001011231", None]
    assert follow_up.status == CaseStatus.IN_PROGRESS
    [task] = desk.tasks(follow_up)
    assert (task.bpmn_id, task.due_at) == ("on_the_spot", end_of(2026, 3, 11))


def test_return_visit_form_requires_details_of_new_signs(desk, org, clock):
    import pytest  # noqa: PLC0415

    from app.errors import ValidationFailed  # noqa: PLC0415

    case = desk.open(category="consumer", amount=500)
    desk.do(desk.task(case, "on_the_spot"), "mediator", resolved())
    desk.at(local(2026, 3, 10, 8, 30))
    with pytest.raises(ValidationFailed) as raised:
        desk.do(desk.task(case, "visit"), "mediator",
                {key: value for key, value in VISIT.items() if key != "new_signs_detail"})
    assert raised.value.errors == {"new_signs_detail": ["请填写「新的纠纷苗头情况」"]}
