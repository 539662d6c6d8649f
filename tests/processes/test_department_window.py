"""Route: specialist matter at the department's window — labour → 人社, then arbitration."""

from app.cases.models import CaseStatus
from app.workflow.models import InstanceStatus
from tests.processes.conftest import end_of, local


def test_labour_dispute_without_agreement_is_referred_to_arbitration(desk, org, clock):
    clock.set(local(2026, 3, 13, 9, 0))  # Friday
    case = desk.open(category="labour", title="拖欠工资纠纷", amount=42000, people_count=3)
    [task] = desk.tasks(case)
    hrss = org.department("hrss")
    assert (task.bpmn_id, task.lane, task.candidate_department_id) == (
        "department_mediation", "承办部门", hrss.id)
    # Labour mediation: 15 natural days end on Sat 28 Mar → next working day.
    assert task.due_at == end_of(2026, 3, 30)
    assert (desk.case(case.code).route, desk.case(case.code).handling_department) == (
        "department_window", "hrss")

    desk.at(local(2026, 3, 31, 0, 0, 1))
    [referral] = desk.tasks(case)
    assert (referral.bpmn_id, referral.candidate_department_id) == ("arbitration_referral", hrss.id)
    # 5 natural days end on Sun 5 Apr; Qingming (4–6 Apr) → Tue 7 Apr.
    assert referral.due_at == end_of(2026, 4, 7)

    desk.do(referral, "hrss", {"arbitration_commission": "甘州区劳动人事争议仲裁委员会",
                               "referral_note": "调解期满未达成协议，告知申请仲裁",
                               "applicant_informed": True})
    case = desk.case(case.code)
    assert (case.status, case.result, case.next_route) == (CaseStatus.REFERRED, "referred", "arbitration")
    assert desk.instance(case).status == InstanceStatus.COMPLETED


def test_department_resolves_within_its_deadline(desk, org, clock):
    case = desk.open(category="medical", title="医疗费用纠纷", amount=20000)
    [task] = desk.tasks(case)
    assert task.candidate_department_id == org.department("health").id
    assert task.due_at == end_of(2026, 4, 1)  # people's mediation: 30 natural days from 2 Mar
