"""A designer edits a deadline rule in the browser modeler: a broken expression is reported in
Chinese with the element highlighted, the fix deploys, the deployments page shows the version."""

import pytest
from lxml import etree
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.org.demo import DEFAULT_LANES
from app.unit_of_work import run_unit
from app.workflow.deploy import deploy_files, read_directories
from app.workflow.models import Deployment
from tests.helpers import sign_in_page
from tests.processes.conftest import ROOT

COUNTY = '[data-element-id="county_handling"]'


@pytest.fixture
def processes(org, clock):
    """processes/ and forms/ deployed as they are in the repository."""
    files = read_directories(ROOT / "processes", ROOT / "forms")
    lanes = [lane for lane, *_ in DEFAULT_LANES]
    run_unit(lambda: deploy_files(files, now=clock.now(), known_lanes=lanes))


def set_due(page, value):
    selected = page.locator(f"#properties{COUNTY}")
    if not selected.count():  # a click on the selected element would toggle it off
        page.locator(f"g.djs-element{COUNTY}").first.click()
    expect(page.locator("#properties")).to_have_attribute("data-element-id", "county_handling")
    field = page.get_by_label("办理期限表达式")
    field.fill(value)
    field.press("Tab")


def test_designer_changes_a_deadline_rule_checks_fixes_and_deploys(live_server, page, screenshot,
                                                                   processes):
    sign_in_page(page, live_server, "designer")
    page.goto(f"{live_server}/designer/")
    page.get_by_role("button", name="在线编辑 四级七天").click()
    page.wait_for_selector("#modeler-app[data-ready=true]")
    expect(page.get_by_label("办理期限表达式")).to_have_count(0)

    set_due(page, 'rule_due("four_levels.grid"')  # a broken expression: the parenthesis is missing
    page.get_by_role("button", name="检查").click()
    problem = page.locator("#problem-list li").first
    problem.wait_for()
    assert problem.get_attribute("data-element-id") == "county_handling"
    assert "表达式不安全或有误" in problem.inner_text() and "county_handling" not in problem.inner_text()
    expect(page.locator(f"g.djs-element{COUNTY}.od-error")).to_have_count(1)
    screenshot(page, "modeler-broken-expression")

    set_due(page, 'rule_due("four_levels.grid")')
    page.get_by_role("button", name="检查").click()
    page.locator("#problems .ok", has_text="检查通过").wait_for()
    expect(page.locator(f"g.djs-element{COUNTY}.od-error")).to_have_count(0)
    page.get_by_label("变更说明").fill("县综治中心期限改为 1 个工作日")
    page.get_by_role("button", name="部署").click()
    page.locator("#problems .ok", has_text="four_levels_seven_days 版本 2").wait_for()

    page.locator("#deployed-link").click()
    versions = page.locator("#versions")
    assert "版本 2" in versions.inner_text() and "县综治中心期限改为 1 个工作日" in versions.inner_text()
    page.wait_for_selector(".diagram[data-rendered=true]")
    screenshot(page, "deployments-new-version")
    db.session.expire_all()
    new = db.session.scalar(select(Deployment).where(Deployment.process_id == "four_levels_seven_days",
                                                     Deployment.version == 2))
    [bpmn] = [f for f in new.files if f.name == "four_levels_seven_days.bpmn"]
    root = etree.fromstring(bpmn.content.encode())
    [due] = root.xpath('//*[@id="county_handling"]//*[local-name()="property"][@name="dueAt"]/@value')
    assert due == 'rule_due("four_levels.grid")'  # saved by the in-browser modeler, deployed


def test_decision_tables_and_forms_open_in_their_editors(live_server, page, processes):
    sign_in_page(page, live_server, "designer")
    page.goto(f"{live_server}/designer/")
    page.get_by_role("button", name="在线编辑 四级七天").click()
    page.wait_for_selector("#modeler-app[data-ready=true]")
    page.get_by_role("link", name="four_levels.dmn").click()
    page.locator("#dmn-canvas .tjs-table").wait_for()
    assert "网格员首调" in page.locator("#dmn-canvas").inner_text()
    page.get_by_role("link", name="mediation_result.json", exact=True).click()
    page.locator("#form-errors.good").wait_for()
    page.locator("#form-text").fill('{"type": "object", "properties": {}, "required": ["result"]}')
    assert "必填字段「result」没有定义" in page.locator("#form-errors").inner_text()
