"""Deadline states with the test clock across a weekend and a holiday: warning, overdue,
chase notice (催办) and supervision order (督办单) on the right working day."""

from sqlalchemy import func, select

from app.extensions import db
from app.supervision.models import DeadlineNotice, OrderStatus, SupervisionOrder
from app.supervision.services import notices_for, set_policy
from app.unit_of_work import run_unit
from app.workflow.models import HumanTask, InstanceStatus, ProcessInstance
from tests.processes.conftest import end_of, local


def kinds(task_id: str) -> list[str]:
    db.session.expire_all()
    return sorted(n.kind.value for n in db.session.scalars(
        select(DeadlineNotice).where(DeadlineNotice.task_id == task_id)))


def order_tasks(order: SupervisionOrder) -> list[HumanTask]:
    db.session.expire_all()
    return list(db.session.scalars(select(HumanTask).where(
        HumanTask.instance_id == order.instance_id, HumanTask.state == "ready")))


def test_on_the_spot_task_across_weekend_and_qingming(desk, org, clock, sweep):
    # Thursday 2 April 2026; Qingming holiday Sat 4 – Mon 6 April.
    clock.set(local(2026, 4, 2, 9, 0))
    case = desk.open(category="consumer", amount=800, title="网购家电退货纠纷")
    [task] = desk.tasks(case)
    assert task.due_at == end_of(2026, 4, 3)
    assert local(2026, 4, 3, 10, 0) < task.warn_at < local(2026, 4, 3, 11, 0)  # 2/3 of the period

    assert sweep(local(2026, 4, 3, 10, 0)).warnings == 0
    assert sweep(local(2026, 4, 3, 11, 0)).warnings == 1
    assert kinds(task.id) == ["warning"]

    for moment in (local(2026, 4, 4, 0, 0, 1), local(2026, 4, 6, 23, 0)):  # overdue, but a rest day
        counts = sweep(moment)
        assert (counts.chases, counts.orders) == (0, 0)
    counts = sweep(local(2026, 4, 7, 0, 0, 1))  # first working day after the deadline
    assert (counts.chases, counts.orders) == (1, 0)
    assert kinds(task.id) == ["chase", "warning"]

    assert sweep(local(2026, 4, 10, 23, 59)).orders == 0  # 4 working days overdue (7–10 Apr)
    counts = sweep(local(2026, 4, 13, 0, 0, 1))            # 5th working day: Monday 13 April
    assert counts.orders == 1
    assert sweep().orders == 0                              # running twice changes nothing
    assert kinds(task.id) == ["chase", "supervision", "warning"]
    assert db.session.scalar(select(func.count()).select_from(SupervisionOrder)) == 1

    order = db.session.scalar(select(SupervisionOrder))
    assert (order.business_key, order.overdue_working_days, order.status) == (
        case.code, 5, OrderStatus.ISSUING)
    instance = db.session.get(ProcessInstance, order.instance_id)
    assert (instance.process_id, instance.business_key, instance.org_unit_id) == (
        "supervision_order", case.code, case.org_unit_id)

    [issue] = order_tasks(order)
    assert (issue.bpmn_id, issue.lane, issue.candidate_org_unit_id, issue.candidate_role.value) == (
        "issue_order", "督办", org.unit("zy-1").id, "supervisor")
    assert issue.due_at == end_of(2026, 4, 14)
    desk.do(issue, "supervisor", {"supervision_measure": "interview",
                                  "supervision_requirement": "请于两日内说明逾期原因并办结"})
    [explain] = order_tasks(order)
    # The explanation goes to whoever held the overdue task: the township center's mediators.
    assert (explain.bpmn_id, explain.lane, explain.candidate_org_unit_id) == (
        "explain_overdue", "乡镇综治中心", org.unit("zy-1-1").id)
    db.session.refresh(order)
    assert order.status == OrderStatus.EXPLAINING
    desk.do(explain, "mediator", {"overdue_reason": "当事人清明假期外出，无法组织调解",
                                  "remedy_measures": "已约定 4 月 14 日现场调解",
                                  "expected_on": "2026-04-14"})
    [review] = order_tasks(order)
    assert review.bpmn_id == "review_order"
    desk.do(review, "supervisor", {"review_result": "accepted", "review_note": "说明属实，同意"})
    db.session.expire_all()
    order = db.session.get(SupervisionOrder, order.id)
    assert order.status == OrderStatus.CLOSED and order.closed_at == clock.now()
    assert order.details["overdue_reason"].startswith("当事人清明假期外出")
    assert db.session.get(ProcessInstance, order.instance_id).status == InstanceStatus.COMPLETED

    mine = notices_for(org.actor("mediator"))  # the holder of the task hears of the order too
    assert [n.kind for n in mine] == ["supervision", "chase", "warning"]
    assert "催办" in mine[1].text and case.code in mine[1].text
    assert "督办单" in mine[0].text and "逾期 5 个工作日" in mine[0].text
    boss = notices_for(org.actor("supervisor"))
    assert [n.kind for n in boss] == ["supervision"]
    assert notices_for(org.actor("hrss")) == []
    assert notices_for(org.actor("mediator"), since=local(2026, 4, 5, 0, 0)) == mine[:2]


def test_department_task_with_a_stricter_rule_and_warning_share(desk, org, clock, sweep):
    run_unit(lambda: set_policy("department_window", "arbitration_referral", warn_share=0.5,
                                chase_after=1, supervise_after=2, description="移送仲裁从严督办"))
    clock.set(local(2026, 3, 13, 9, 0))  # Friday
    case = desk.open(category="labour", title="拖欠工资纠纷", amount=42000, people_count=3)
    desk.at(local(2026, 3, 31, 0, 0, 1))  # department mediation timed out → arbitration referral
    [referral] = desk.tasks(case)
    assert referral.due_at == end_of(2026, 4, 7)
    assert referral.warn_at == referral.created_at + (referral.due_at - referral.created_at) / 2

    assert sweep(local(2026, 4, 3, 23, 0)).warnings == 0
    assert sweep(local(2026, 4, 4, 1, 0)).warnings == 1    # half-way (2/3 would be 5 Apr 08:00)
    assert sweep(local(2026, 4, 8, 0, 0, 1)).chases == 1   # Wednesday: day after the deadline
    assert sweep(local(2026, 4, 8, 23, 0)).orders == 0
    assert sweep(local(2026, 4, 9, 0, 0, 1)).orders == 1   # overdue 2 working days by this rule
    order = db.session.scalar(select(SupervisionOrder))
    [issue] = order_tasks(order)
    desk.do(issue, "supervisor", {"supervision_measure": "notice",
                                  "supervision_requirement": "书面说明逾期原因"})
    [explain] = order_tasks(order)
    assert (explain.lane, explain.candidate_department_id) == ("承办部门", org.department("hrss").id)
    hrss = [n.kind for n in notices_for(org.actor("hrss"))]
    assert hrss == ["supervision", "chase", "warning"]


def test_completed_tasks_get_no_notices_and_orders_never_escalate(desk, org, clock, sweep):
    clock.set(local(2026, 4, 2, 9, 0))
    case = desk.open(category="consumer", amount=800)
    [task] = desk.tasks(case)
    counts = sweep(local(2026, 4, 13, 0, 0, 1))  # straight to five working days overdue
    assert (counts.warnings, counts.chases, counts.orders) == (0, 1, 1)
    order = db.session.scalar(select(SupervisionOrder))
    [issue] = order_tasks(order)
    # The order's own task goes overdue for weeks: chased, never escalated to another order.
    counts = sweep(local(2026, 5, 20, 9, 0))
    assert (counts.chases, counts.orders) == (1, 0)
    assert kinds(issue.id) == ["chase"]
    assert kinds(task.id) == ["chase", "supervision"]


def test_policies_from_the_command_line(runner, org):
    assert "全部使用默认值" in runner.invoke(args=["supervision", "policies"]).output
    result = runner.invoke(args=["supervision", "set-policy", "--process", "referral", "--task",
                                 "petition_handle", "--warn-share", "0.8", "--supervise-after", "3",
                                 "--description", "信访办理"])
    assert result.exit_code == 0, result.output
    listed = runner.invoke(args=["supervision", "policies"]).output
    assert "referral/petition_handle: 预警 0.800，1 个工作日后催办，3 个工作日后督办  信访办理" in listed
    refused = runner.invoke(args=["supervision", "set-policy", "--warn-share", "1.5"])
    assert refused.exit_code != 0
    assert "预警 0，催办 0，督办单 0" in runner.invoke(args=["supervision", "sweep"]).output
