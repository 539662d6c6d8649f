"""Context on task pages: the case's facts and parties and the earlier steps the form declares
(`x-context`), shown before and after claiming."""

import pytest

from app.supervision.orders import open_order
from app.unit_of_work import run_unit
from tests.functional.test_case_file import FAILED_1, FAILED_2, can_sign_in, visible_text
from tests.helpers import sign_in
from tests.processes.conftest import Desk, resolved  # noqa: F401 - fixtures


@pytest.fixture
def desk(processes, org, clock):  # noqa: F811 - the imported fixture
    return Desk(org, clock)


def test_level_three_reads_levels_one_and_two_before_and_after_claiming(client, no_csrf, desk):
    case = desk.open()
    desk.do(desk.task(case, "level_mediation"), "grid", FAILED_1)
    desk.do(desk.task(case, "level_mediation"), "village", FAILED_2)
    township = desk.task(case, "level_mediation")
    sign_in(client, "mediator")
    before = visible_text(client.get(f"/tasks/{township.id}").data.decode())
    assert "前几级调解情况" in before and "认领" in before
    assert FAILED_1["summary"] in before and FAILED_2["summary"] in before
    assert "本级调解（网格员）" in before and "本级调解（村调委会）" in before
    assert "邻里排水纠纷" in before and "张三" in before and "13912345678" in before
    assert "四级七天" in before and "four_levels_seven_days" not in before
    client.post(f"/tasks/{township.id}/claim")
    after = visible_text(client.get(f"/tasks/{township.id}").data.decode())
    assert FAILED_1["summary"] in after and "提交办结" in after


def test_joint_mediation_shows_every_departments_opinion(client, no_csrf, desk, handlers):  # noqa: F811
    case = desk.open(category="requisition", risk_tier="red", title="征地补偿群体纠纷")
    call = desk.task(case, "whistle_call")
    desk.do(call, "coordinator", {"departments": ["hrss", "housing"],
                                  "whistle_note": "征地补偿分歧，请人社、住建报到"})
    for username in ("hrss", "housing"):
        department = desk.org.department(username).id
        [task] = [t for t in desk.tasks(case)
                  if t.bpmn_id == "report_in" and t.candidate_department_id == department]
        desk.do(task, username, {"reporter": f"{username}报到人"})
        [task] = [t for t in desk.tasks(case)
                  if t.bpmn_id == "opinion_task" and t.candidate_department_id == department]
        desk.do(task, username, {"opinion": f"{'人社' if username == 'hrss' else '住建'}意见：核实补偿标准"})
    joint = desk.task(case, "joint_mediation")
    sign_in(client, "coordinator")
    text = visible_text(client.get(f"/tasks/{joint.id}").data.decode())
    assert "各部门处置意见" in text and "吹哨事由与要求" in text
    assert "人社意见：核实补偿标准" in text and "住建意见：核实补偿标准" in text
    assert "甘州区人社局" in text and "甘州区住建局" in text
    assert "人社局、住建局" in text  # the named departments, by name


def test_report_in_shows_the_whistle_reason(client, no_csrf, desk, handlers):  # noqa: F811
    case = desk.open(category="requisition", risk_tier="red")
    desk.do(desk.task(case, "whistle_call"), "coordinator",
            {"departments": ["housing"], "whistle_note": "请住建局当日到中心报到"})
    report = desk.task(case, "report_in")
    can_sign_in("housing")
    sign_in(client, "housing")
    text = visible_text(client.get(f"/tasks/{report.id}").data.decode())
    assert "请住建局当日到中心报到" in text and "住建局" in text and "办理期限" in text


def test_supervision_order_department_sees_the_requirement_and_reviewer_the_explanation(
        client, no_csrf, desk, org, clock):
    case = desk.open(category="consumer", amount=800, title="网购家电退货纠纷")
    overdue = desk.tasks(case)[0]
    order = run_unit(lambda: open_order(overdue, case.org_unit_id, 5, clock))
    issue = desk.task(case, "issue_order")
    desk.do(issue, "supervisor", {"supervision_measure": "interview",
                                  "supervision_requirement": "请于两日内说明逾期原因并办结"})
    explain = desk.task(case, "explain_overdue")
    sign_in(client, "mediator")
    text = visible_text(client.get(f"/tasks/{explain.id}").data.decode())
    assert "督办要求" in text and "请于两日内说明逾期原因并办结" in text and "约谈督办" in text
    assert "interview" not in text
    desk.do(explain, "mediator", {"overdue_reason": "当事人外出，无法组织调解",
                                  "remedy_measures": "已约定现场调解", "expected_on": "2026-03-10"})
    review = desk.task(case, "review_order")
    sign_in(client, "supervisor")
    text = visible_text(client.get(f"/tasks/{review.id}").data.decode())
    assert "逾期说明" in text and "当事人外出，无法组织调解" in text and "已约定现场调解" in text
    assert order.instance_id == review.instance_id


def test_forms_are_prefilled_with_the_parties_and_the_reporter(client, no_csrf, desk, handlers):  # noqa: F811
    case = desk.open()
    task = desk.task(case, "level_mediation")
    sign_in(client, "grid")
    client.post(f"/tasks/{task.id}/claim")
    body = client.get(f"/tasks/{task.id}").data.decode()
    assert 'name="agreement.parties.0.name" value="张三"' in body.replace("\n", " ") or \
        ('value="张三"' in body and 'name="agreement.parties.0.name"' in body)
    assert 'value="李四"' in body
    # A failed mediation with the prefilled agreement block is accepted: the block does not apply.
    response = client.post(f"/tasks/{task.id}/complete", data={
        "result": "failed", "summary": "双方分歧较大，本级无法化解",
        "agreement.parties.0.name": "张三", "agreement.parties.1.name": "李四"})
    assert response.status_code == 302

    whistle = desk.open(category="requisition", risk_tier="red")
    desk.do(desk.task(whistle, "whistle_call"), "coordinator",
            {"departments": ["housing"], "whistle_note": "请住建局报到"})
    report = desk.task(whistle, "report_in")
    can_sign_in("housing", "王住建")
    sign_in(client, "housing")
    client.post(f"/tasks/{report.id}/claim")
    assert 'value="甘州区住建局 王住建"' in client.get(f"/tasks/{report.id}").data.decode()


def test_a_level_form_starts_empty_not_with_the_level_before(client, no_csrf, desk):
    # Level 3's 调解情况 box held level 2's text: a form starts only from x-prefill and its own draft.
    import re  # noqa: PLC0415

    from app.extensions import db  # noqa: PLC0415
    from app.workflow.models import HumanTask  # noqa: PLC0415

    case = desk.open()
    desk.do(desk.task(case, "level_mediation"), "grid", FAILED_1)
    desk.do(desk.task(case, "level_mediation"), "village", FAILED_2)
    township = desk.task(case, "level_mediation")
    sign_in(client, "mediator")
    client.post(f"/tasks/{township.id}/claim")
    page = client.get(f"/tasks/{township.id}").data.decode()
    [box] = re.findall(r'<textarea[^>]*name="summary"[^>]*>(.*?)</textarea>', page, re.S)
    assert box.strip() == ""
    assert 'value="failed" checked' not in page and "checked" not in page.split('name="result"')[1][:80]
    client.post(f"/tasks/{township.id}/draft", data={"summary": "本级已约谈双方"})
    page = client.get(f"/tasks/{township.id}").data.decode()
    [box] = re.findall(r'<textarea[^>]*name="summary"[^>]*>(.*?)</textarea>', page, re.S)
    assert box.strip() == "本级已约谈双方"  # the task's own draft does come back
    from app.workflow.queries import task_form  # noqa: PLC0415 - what the API's task detail returns

    db.session.expire_all()
    assert task_form(db.session.get(HumanTask, township.id)).values == {"summary": "本级已约谈双方"}
