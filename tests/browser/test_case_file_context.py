"""The case file travels with the case, in Debian Chromium over real HTTP at 1366 px:
四级七天 level 3 reads levels 1–2's 调解情况; 联合调解 shows every department's opinion; a
督办单's department sees the 要求 and its reviewer sees the explanation."""

from playwright.sync_api import expect

from app.supervision.orders import open_order
from app.unit_of_work import run_unit
from tests.functional.test_case_file import can_sign_in
from tests.helpers import sign_in_page
from tests.processes.conftest import Desk  # noqa: F401 - fixtures

LEVEL_1 = "网格员首调：双方对排水沟走向分歧较大"
LEVEL_2 = "村调委会调解：李四仍不同意改道"


def new_page(browser):
    return browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()


def mediate_failed(page, base, task_id, summary):
    """Claim a level's task in the browser and record that it failed."""
    page.goto(f"{base}/tasks/{task_id}")
    page.get_by_role("button", name="认领").click()
    page.get_by_role("group", name="调解结果").get_by_label("调解不成 / 上交上一级").check()
    page.get_by_label("调解情况").fill(summary)
    page.get_by_role("button", name="提交办结").click()
    page.wait_for_url(f"{base}/")


def test_level_three_reads_what_levels_one_and_two_wrote(
        live_server, browser, screenshot, processes, org, clock):  # noqa: F811
    desk = Desk(org, clock)
    case = desk.open()
    grid = new_page(browser)
    sign_in_page(grid, live_server, "grid")
    mediate_failed(grid, live_server, desk.task(case, "level_mediation").id, LEVEL_1)
    village = new_page(browser)
    sign_in_page(village, live_server, "village")
    mediate_failed(village, live_server, desk.task(case, "level_mediation").id, LEVEL_2)

    township = new_page(browser)
    sign_in_page(township, live_server, "mediator")
    township.goto(f"{live_server}/tasks/{desk.task(case, 'level_mediation').id}")
    context = township.locator("section.context", has_text="前几级调解情况")
    expect(context.get_by_text(LEVEL_1)).to_be_visible()
    expect(context.get_by_text(LEVEL_2)).to_be_visible()
    expect(context.get_by_text("本级调解（网格员）")).to_be_visible()
    screenshot(township, "context-four-levels-before-claim")
    township.get_by_role("button", name="认领").click()
    expect(context.get_by_text(LEVEL_2)).to_be_visible()
    expect(township.get_by_role("button", name="提交办结")).to_be_visible()
    agreement = township.locator("fieldset[data-when-name='result']")
    result = township.get_by_role("group", name="调解结果")
    result.get_by_label("调解不成 / 上交上一级").check()
    expect(agreement).to_be_hidden()  # the schema's if/then: the agreement only when 调解成功
    result.get_by_label("调解成功").check()
    expect(agreement).to_be_visible()
    assert agreement.get_by_label("姓名或名称（第1项）").input_value() == "张三"
    screenshot(township, "context-four-levels-claimed")

    township.goto(f"{live_server}/cases/{case.code}")
    history = township.locator("#case-file")
    expect(history.get_by_text(LEVEL_1)).to_be_visible()
    township.get_by_label("按环节筛选").select_option("本级调解（村调委会）")
    township.get_by_role("button", name="筛选").click()
    expect(history.get_by_text(LEVEL_2)).to_be_visible()
    expect(history.get_by_text(LEVEL_1)).to_have_count(0)
    screenshot(township, "case-file-filtered")


def test_joint_mediation_shows_every_departments_opinion(
        live_server, browser, screenshot, processes, org, clock, handlers):  # noqa: F811
    desk = Desk(org, clock)
    case = desk.open(category="requisition", risk_tier="red", title="征地补偿群体纠纷",
                     people_count=25, amount=300000)
    coordinator = new_page(browser)
    sign_in_page(coordinator, live_server, "coordinator")
    coordinator.goto(f"{live_server}/tasks/{desk.task(case, 'whistle_call').id}")
    coordinator.get_by_role("button", name="认领").click()
    coordinator.get_by_label("人社局").check()
    coordinator.get_by_label("住建局").check()
    coordinator.get_by_label("吹哨事由与要求").fill("征地补偿标准分歧，请人社、住建到中心报到")
    coordinator.get_by_role("button", name="提交办结").click()
    coordinator.wait_for_url(f"{live_server}/")

    opinions = {"hrss": "人社局意见：核查用工及补偿标准", "housing": "住建局意见：出具补偿标准说明"}
    can_sign_in("housing", "住建局承办人")
    for username, opinion in opinions.items():
        department = org.department(username).id
        [report] = [t for t in desk.tasks(case)
                    if t.bpmn_id == "report_in" and t.candidate_department_id == department]
        page = new_page(browser)
        sign_in_page(page, live_server, username)
        page.goto(f"{live_server}/tasks/{report.id}")
        expect(page.locator("section.context").get_by_text("征地补偿标准分歧")).to_be_visible()
        page.get_by_role("button", name="认领").click()
        page.get_by_role("button", name="提交办结").click()
        page.wait_for_url(f"{live_server}/")
        [task] = [t for t in desk.tasks(case)
                  if t.bpmn_id == "opinion_task" and t.candidate_department_id == department]
        page.goto(f"{live_server}/tasks/{task.id}")
        page.get_by_role("button", name="认领").click()
        page.get_by_label("处置意见").fill(opinion)
        page.get_by_role("button", name="提交办结").click()
        page.wait_for_url(f"{live_server}/")

    coordinator.goto(f"{live_server}/tasks/{desk.task(case, 'joint_mediation').id}")
    block = coordinator.locator("section.context", has_text="各部门处置意见")
    for opinion in opinions.values():
        expect(block.get_by_text(opinion)).to_be_visible()
    expect(block.get_by_text("甘州区人社局")).to_be_visible()
    expect(block.get_by_text("甘州区住建局")).to_be_visible()
    screenshot(coordinator, "context-joint-mediation")


def test_supervision_order_requirement_and_explanation(
        live_server, browser, screenshot, processes, org, clock):  # noqa: F811
    desk = Desk(org, clock)
    case = desk.open(category="consumer", amount=800, title="网购家电退货纠纷")
    run_unit(lambda: open_order(desk.tasks(case)[0], case.org_unit_id, 5, clock))
    supervisor = new_page(browser)
    sign_in_page(supervisor, live_server, "supervisor")
    supervisor.goto(f"{live_server}/tasks/{desk.task(case, 'issue_order').id}")
    supervisor.get_by_role("button", name="认领").click()
    supervisor.get_by_label("督办方式").select_option(label="约谈督办") \
        if supervisor.locator("select[name='supervision_measure']").count() else \
        supervisor.get_by_role("group", name="督办方式").get_by_label("约谈督办").check()
    supervisor.get_by_label("督办要求").fill("请于两日内书面说明逾期原因并办结")
    supervisor.get_by_role("button", name="提交办结").click()
    supervisor.wait_for_url(f"{live_server}/")

    mediator = new_page(browser)
    sign_in_page(mediator, live_server, "mediator")
    mediator.goto(f"{live_server}/tasks/{desk.task(case, 'explain_overdue').id}")
    requirement = mediator.locator("section.context", has_text="督办要求")
    expect(requirement.get_by_text("请于两日内书面说明逾期原因并办结")).to_be_visible()
    expect(requirement.get_by_text("约谈督办")).to_be_visible()
    screenshot(mediator, "context-supervision-explain")
    mediator.get_by_role("button", name="认领").click()
    mediator.get_by_label("逾期原因").fill("当事人外出务工，无法组织调解")
    mediator.get_by_label("整改措施").fill("已电话约定 3 月 10 日现场调解")
    mediator.get_by_label("预计办结日期").fill("2026-03-10")
    mediator.get_by_role("button", name="提交办结").click()
    mediator.wait_for_url(f"{live_server}/")

    supervisor.goto(f"{live_server}/tasks/{desk.task(case, 'review_order').id}")
    explanation = supervisor.locator("section.context", has_text="逾期说明")
    expect(explanation.get_by_text("当事人外出务工，无法组织调解")).to_be_visible()
    expect(explanation.get_by_text("已电话约定 3 月 10 日现场调解")).to_be_visible()
    screenshot(supervisor, "context-supervision-review")
