"""The standard properties panel with OneDoor's provider: a user task's form, deadline rule and
lane role chosen in the panel, saved, parsed by the engine's parser on the server and there
again after a reload; a timer's definition edited the same way; a deadline rule that is not in
the table flagged by the deploy check itself, and the deploy refused."""

import re

from lxml import etree
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.designer import drafts
from app.extensions import db
from app.workflow.checks import check_files
from app.workflow.models import Deployment
from tests.browser.test_designer_chinese import english
from tests.helpers import sign_in_page

SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
MAIN = "four_levels_seven_days.bpmn"


def open_modeler(page, live_server) -> int:
    page.goto(f"{live_server}/designer/")
    page.get_by_role("button", name="在线编辑 四级七天").click()
    page.wait_for_selector("#modeler-app[data-ready=true]")
    return int(re.search(r"/drafts/(\d+)", page.url).group(1))


def select_element(page, element_id):
    page.locator(f'g.djs-element[data-element-id="{element_id}"]').first.click()
    expect(page.locator("#properties")).to_have_attribute("data-element-id", element_id)


def save(page):
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("#status")).to_have_text("草稿已保存")


def saved_tree(draft_id):
    db.session.expire_all()
    return etree.fromstring(drafts.get_draft(draft_id).files[MAIN].encode())


def test_user_task_form_rule_and_lane_set_in_the_panel_are_saved_parsed_and_reloaded(
        live_server, page, screenshot, processes):  # noqa: F811
    sign_in_page(page, live_server, "designer")
    draft_id = open_modeler(page, live_server)
    select_element(page, "county_handling")
    panel = page.locator("#properties")
    expect(panel.get_by_label("表单", exact=True)).to_have_value("mediation_result.json")
    expect(panel.get_by_label("办理期限规则")).to_have_value("four_levels.county")

    panel.get_by_label("表单", exact=True).select_option(label="未化解登记")
    panel.get_by_label("表单显示提示（可选）").select_option(label="（无）")
    panel.get_by_label("办理期限规则").select_option(label="四级七天：网格员 1 个工作日")
    expect(panel.get_by_label("办理期限表达式")).to_have_value('rule_due("four_levels.grid")')
    panel.get_by_label("办理角色（泳道）").select_option(value="村调委会")
    expect(panel.get_by_label("办理角色表达式（按流程数据选泳道）")).to_have_value('"村调委会"')
    expect(page.locator("#modeler-app")).to_have_attribute("data-dirty", "true")
    screenshot(page, "modeler-panel-user-task")
    save(page)

    root = saved_tree(draft_id)
    [task] = root.xpath('//*[@id="county_handling"]')
    values = {p.get("name"): p.get("value") for p in task.iter(f"{SPIFF}property")}
    assert values == {"formJsonSchemaFilename": "failure_record.json",
                      "dueAt": 'rule_due("four_levels.grid")', "candidateLane": '"村调委会"'}
    # What the engine reads: the draft parsed by the deploy checks' own parser.
    files, parsed = drafts.publishable(draft_id), {}
    assert check_files(files.bpmn, files.dmn, files.forms, parsed=parsed) == []
    spec = parsed["four_levels_seven_days"].spec.task_specs["county_handling"]
    assert spec.extensions["properties"] == values

    page.reload()
    page.wait_for_selector("#modeler-app[data-ready=true]")
    select_element(page, "county_handling")
    expect(panel.get_by_label("表单", exact=True)).to_have_value("failure_record.json")
    expect(panel.get_by_label("办理期限规则")).to_have_value("four_levels.grid")
    expect(panel.get_by_label("办理角色（泳道）")).to_have_value("村调委会")
    context = panel.locator('[data-entry-id="onedoor-context"]')  # what the new form declares
    expect(context).to_contain_text("调解经过、各部门处置意见")


def test_a_timer_definition_edited_in_the_panel_sticks(live_server, page, screenshot, processes):  # noqa: F811
    sign_in_page(page, live_server, "designer")
    draft_id = open_modeler(page, live_server)
    select_element(page, "level_timeout")
    panel = page.locator("#properties")
    expect(panel.get_by_label("类型")).to_have_value("timeDate")
    value = panel.get_by_label("值", exact=True)
    expect(value).to_have_value("level_due")
    value.fill('rule_due("four_levels.village")')
    value.press("Tab")
    screenshot(page, "modeler-panel-timer")
    save(page)
    [text] = saved_tree(draft_id).xpath('//*[@id="level_timeout"]//*[local-name()="timeDate"]/text()')
    assert text == 'rule_due("four_levels.village")'

    page.reload()
    page.wait_for_selector("#modeler-app[data-ready=true]")
    select_element(page, "level_timeout")
    expect(panel.get_by_label("值", exact=True)).to_have_value('rule_due("four_levels.village")')
    page.get_by_role("button", name="检查").click()
    page.locator("#problems .ok", has_text="检查通过").wait_for()


def test_an_unknown_deadline_rule_typed_in_the_panel_is_flagged_by_the_deploy_check(
        live_server, page, screenshot, processes):  # noqa: F811
    sign_in_page(page, live_server, "designer")
    draft_id = open_modeler(page, live_server)
    select_element(page, "county_handling")
    panel = page.locator("#properties")
    field = panel.get_by_label("办理期限表达式")
    field.fill('rule_due("four_levels.nowhere")')
    field.press("Tab")
    # the rule list shows it as a value not in the table
    expect(panel.get_by_label("办理期限规则")).to_have_value("four_levels.nowhere")
    page.get_by_role("button", name="检查").click()
    problem = page.locator("#problem-list li").first
    problem.wait_for()
    assert problem.get_attribute("data-element-id") == "county_handling"
    db.session.expire_all()
    [expected] = [p.message for p in drafts.check_draft(draft_id)]  # the deploy check, on the saved draft
    assert "期限规则「four_levels.nowhere」不在期限规则表" in expected
    assert expected in problem.inner_text()
    expect(page.locator('g.djs-element[data-element-id="county_handling"].od-error')).to_have_count(1)
    screenshot(page, "modeler-panel-unknown-rule")

    page.get_by_role("button", name="部署").click()
    page.locator("#problems h2", has_text="检查未通过：1 个问题").wait_for()
    db.session.expire_all()
    assert db.session.scalar(select(func.max(Deployment.version)).where(
        Deployment.process_id == "four_levels_seven_days")) == 1


def test_on_a_phone_the_panel_sits_under_the_diagram(live_server, browser, screenshot, processes):  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    try:
        sign_in_page(page, live_server, "designer")
        open_modeler(page, live_server)
        page.evaluate("""() => { const m = window.onedoorModeler.bpmn;
            m.get("selection").select(m.get("elementRegistry").get("county_handling")); }""")
        expect(page.locator("#properties")).to_have_attribute("data-element-id", "county_handling")
        canvas, panel = page.locator("#canvas").bounding_box(), page.locator("#properties").bounding_box()
        assert panel["y"] >= canvas["y"] + canvas["height"]
        assert canvas["width"] > 300 and panel["width"] > 300
        screenshot(page, "modeler-panel-390")
    finally:
        context.close()


def open_process(page, live_server, name):
    page.goto(f"{live_server}/designer/")
    page.get_by_role("button", name=re.compile(f"^在线编辑 {re.escape(name)}")).click()
    page.wait_for_selector("#modeler-app[data-ready=true]")


def test_every_kind_of_element_reads_its_engine_values_in_chinese(live_server, page, screenshot,
                                                                 processes):  # noqa: F811
    sign_in_page(page, live_server, "designer")
    open_process(page, live_server, "矛盾纠纷化解")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366  # its many file tabs wrap
    panel = page.locator("#properties")
    shown = {  # element → (entry label, the value the engine reads)
        "lane_clerk": ("泳道角色（按分派规则找到办理人）", "综合受理"),
        "classify": ("调用的决策表", "routing"),
        "four_levels": ("调用的流程", "four_levels_seven_days"),
        "to_on_the_spot": ("条件表达式", 'route == "on_the_spot"'),
        "on_the_spot": ("表单", "mediation_result.json"),
    }
    for element_id, (label, value) in shown.items():
        page.evaluate("""id => { const m = window.onedoorModeler.bpmn;
            m.get("selection").select(m.get("elementRegistry").get(id)); }""", element_id)
        expect(panel).to_have_attribute("data-element-id", element_id)
        expect(panel.get_by_label(label, exact=True)).to_have_value(value)
        assert english(page) == [], element_id
    screenshot(page, "modeler-panel-call-activity-lane-flow")

    open_process(page, live_server, "12345 工单")
    select_element(page, "wait_dispute")
    expect(panel.get_by_label("消息内容存入的变量")).to_have_value("dispute_outcome")
    expect(panel.locator('[data-group-id="group-message"]')).to_be_visible()  # the standard 消息 group
    assert english(page) == []
    assert page.evaluate("Object.keys(window.OneDoorZh.missing)") == []


def test_a_multi_instance_call_keeps_its_collections_through_a_panel_edit(live_server, page, screenshot,
                                                                          processes):  # noqa: F811
    sign_in_page(page, live_server, "designer")
    open_process(page, live_server, "中心吹哨")
    draft_id = int(re.search(r"/drafts/(\d+)", page.url).group(1))
    select_element(page, "department_reports")
    panel = page.locator("#properties")
    expect(panel.get_by_label("输入集合（变量名）")).to_have_value("departments")
    expect(panel.get_by_label("每个实例的输入变量")).to_have_value("reporting_department")
    expect(panel.get_by_label("输出集合（变量名）")).to_have_value("opinions")
    expect(panel.get_by_label("调用的流程")).to_have_value("whistle_report")
    assert english(page) == []
    screenshot(page, "modeler-panel-multi-instance")
    name = panel.get_by_label("名称", exact=True)
    name.fill("各部门报到并提出意见")
    name.press("Tab")
    save(page)

    db.session.expire_all()
    root = etree.fromstring(drafts.get_draft(draft_id).files["whistle.bpmn"].encode())
    [loop] = root.xpath('//*[@id="department_reports"]/*[local-name()="multiInstanceLoopCharacteristics"]')
    assert loop.findtext(f"{BPMN}loopDataInputRef") == "departments"
    assert loop.findtext(f"{BPMN}loopDataOutputRef") == "opinions"
    files, parsed = drafts.publishable(draft_id), {}
    assert check_files(files.bpmn, files.dmn, files.forms, parsed=parsed) == []
    spec = parsed["whistle"].spec.task_specs["department_reports"]
    assert (spec.data_input.bpmn_id, spec.data_output.bpmn_id) == ("departments", "opinions")
