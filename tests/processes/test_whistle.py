"""Route: 中心吹哨、部门报到 — named departments report in (one late: 督办), then joint mediation."""

from app.cases.models import CaseStatus
from app.org.models import Role
from tests.processes.conftest import end_of, local, resolved

REPORT = {"reporter": "周人社", "reporter_phone": "13900001111"}


def test_late_department_is_chased_and_joint_mediation_succeeds(desk, org, clock, handlers):
    case = desk.open(category="requisition", title="征地补偿群体纠纷", people_count=25, amount=300000)
    [call] = desk.tasks(case)
    county = org.unit("zy-1").id
    assert (call.bpmn_id, call.lane, call.candidate_org_unit_id, call.candidate_role) == (
        "whistle_call", "综治中心调度", county, Role.CENTER_COORDINATOR)
    assert call.due_at == end_of(2026, 3, 3)
    assert desk.case(case.code).route == "whistle"

    clock.set(local(2026, 3, 6, 15, 0))  # Friday afternoon
    desk.do(call, "coordinator", {"departments": ["hrss", "housing"],
                                  "whistle_note": "请人社、住建到中心报到"})
    reports = desk.tasks(case)
    assert sorted((t.bpmn_id, t.candidate_department_id) for t in reports) == sorted([
        ("report_in", org.department("hrss").id), ("report_in", org.department("housing").id)])
    assert {t.due_at for t in reports} == {end_of(2026, 3, 9)}  # one working day, over the weekend

    hrss_report = next(t for t in reports if t.candidate_department_id == org.department("hrss").id)
    desk.do(hrss_report, "hrss", REPORT)
    [opinion] = [t for t in desk.tasks(case) if t.bpmn_id == "opinion_task"]
    assert opinion.due_at == end_of(2026, 3, 10)
    desk.do(opinion, "hrss", {"opinion": "核查用工及补偿标准，依法支付"})

    desk.at(local(2026, 3, 10, 0, 0, 1))  # housing missed its report-in deadline
    open_now = {t.bpmn_id: t for t in desk.tasks(case)}
    assert set(open_now) == {"supervise", "late_report_in"}
    chase = open_now["supervise"]
    assert (chase.lane, chase.candidate_org_unit_id, chase.candidate_role) == (
        "督办", county, Role.SUPERVISOR)
    assert chase.due_at == end_of(2026, 3, 11)
    assert open_now["late_report_in"].candidate_department_id == org.department("housing").id

    desk.do(chase, "supervisor", {"supervision_measure": "reminder",
                                  "supervision_note": "电话催促住建局报到"})
    desk.do(open_now["late_report_in"], "housing", {"reporter": "住建承办人"})
    [opinion] = desk.tasks(case)
    desk.do(opinion, "housing", {"opinion": "核实征地补偿标准并出具说明"})

    [joint] = desk.tasks(case)
    assert (joint.bpmn_id, joint.lane, joint.candidate_org_unit_id) == (
        "joint_mediation", "县综治中心", county)
    assert joint.due_at == end_of(2026, 3, 17)  # 5 working days from Tue 10 Mar
    desk.do(joint, "coordinator", resolved("联合调解达成补偿协议", judicial=True))

    case = desk.case(case.code)
    assert case.status == CaseStatus.RESOLVED
    [judicial] = desk.tasks(case)
    assert (judicial.bpmn_id, judicial.lane) == ("judicial_confirmation", "乡镇综治中心")
    assert judicial.due_at == end_of(2026, 4, 9)  # 30 natural days to apply for confirmation


def test_red_risk_puts_a_task_in_the_coordinator_inbox_at_once(desk, org, clock):
    case = desk.open(risk_tier="red", title="可能引发极端事件的纠纷")
    tasks = {t.bpmn_id: t for t in desk.tasks(case)}
    assert set(tasks) == {"red_alert_review", "whistle_call"}
    alert = tasks["red_alert_review"]
    assert (alert.lane, alert.candidate_org_unit_id, alert.process_id) == (
        "综治中心调度", org.unit("zy-1").id, "risk_alert")
    assert alert.due_at == local(2026, 3, 2, 11, 0)  # two hours


def test_raising_the_risk_to_red_later_notifies_the_coordinator(desk, org, clock):
    from app.cases import services as cases  # noqa: PLC0415
    from app.unit_of_work import run_unit  # noqa: PLC0415

    case = desk.open()
    assert [t.bpmn_id for t in desk.tasks(case)] == ["level_mediation"]
    clock.set(local(2026, 3, 3, 14, 30))
    run_unit(lambda: cases.change_risk_tier(case.code, "red", clock=clock, actor=org.actor("grid")))
    alert = desk.task(case, "red_alert_review")
    assert alert.due_at == local(2026, 3, 3, 16, 30)
    assert desk.case(case.code).risk_tier.value == "red"


def _report_and_opine(desk, case, department_user: str, department_id: int, step) -> None:
    """One department reports in and gives its opinion, `step()` running before each action."""
    step()
    [report] = [t for t in desk.tasks(case)
                if t.bpmn_id == "report_in" and t.candidate_department_id == department_id]
    desk.do(report, department_user, REPORT)
    step()
    [opinion] = [t for t in desk.tasks(case)
                 if t.bpmn_id == "opinion_task" and t.candidate_department_id == department_id]
    desk.do(opinion, department_user, {"opinion": f"{department_user}的处置意见"})


def test_opinions_arrive_when_each_step_runs_in_a_fresh_process(desk, org, clock, handlers):
    # A worker that did not create the whistle's children (another worker, another node, a
    # restart) completes them: every opinion must still reach `opinions`.
    from app.workflow import registry  # noqa: PLC0415

    case = desk.open(category="requisition", title="征地补偿群体纠纷", people_count=25, amount=300000)
    [call] = desk.tasks(case)
    desk.do(call, "coordinator", {"departments": ["hrss", "housing"], "whistle_note": "请到中心报到"})
    for username, code in (("hrss", "hrss"), ("housing", "housing")):
        _report_and_opine(desk, case, username, org.department(code).id, registry.clear)

    [joint] = desk.tasks(case)
    assert joint.bpmn_id == "joint_mediation"
    opinions = desk.instance_data(case)["opinions"]
    assert sorted(opinions) == ["housing的处置意见", "hrss的处置意见"]
