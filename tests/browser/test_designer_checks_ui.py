"""A designer's mistakes are caught in the browser: `week` as a deadline unit is refused with its
cell highlighted, an exclusive gateway left without a default is flagged on the diagram, and the
deploy is refused until both are fixed."""

from sqlalchemy import func, select

from app.extensions import db
from app.workflow.models import Deployment
from tests.browser.test_designer_edits import open_deadlines
from tests.helpers import sign_in_page

GRID_UNIT = 'td[data-element-id="deadlines_r0_o1"]'
GATEWAY = 'g.djs-element[data-element-id="gw_level_result"]'


def select_element(page, element_id):
    page.evaluate("""id => { const m = window.onedoorModeler.bpmn;
        m.get("selection").select(m.get("elementRegistry").get(id)); }""", element_id)
    page.wait_for_selector(f'#properties[data-element-id="{element_id}"]')


def test_week_is_refused_with_the_cell_highlighted_and_a_gateway_without_default_is_flagged(
        live_server, page, screenshot, processes):  # noqa: F811
    sign_in_page(page, live_server, "designer")
    page.goto(f"{live_server}/designer/")
    page.get_by_role("button", name="在线编辑 四级七天").click()
    page.wait_for_selector("#modeler-app[data-ready=true]")

    select_element(page, "level_failed")  # 未化解: the default path of 本级化解？
    page.get_by_label("设为网关的默认路径").uncheck()
    page.get_by_label("条件表达式").fill('result == "failed"')
    page.get_by_label("条件表达式").press("Tab")

    open_deadlines(page)
    page.locator(f"#dmn-canvas {GRID_UNIT} [contenteditable]").click()
    page.keyboard.press("Control+A")
    page.keyboard.type('"week"')

    page.get_by_role("button", name="检查").click()
    problems = page.locator("#problem-list li")
    problems.first.wait_for()
    assert problems.count() == 2, problems.all_inner_texts()
    by_element = {problems.nth(i).get_attribute("data-element-id"): problems.nth(i).inner_text()
                  for i in range(2)}
    assert "「week」不在允许的取值中" in by_element["deadlines_r0_o1"]
    assert "排他网关「本级化解？」没有默认路径" in by_element["gw_level_result"]
    cell = page.locator(f"#dmn-canvas {GRID_UNIT}")
    assert cell.evaluate("c => getComputedStyle(c).outlineColor") == "rgb(200, 22, 29)"
    assert page.locator('#dmn-canvas td[data-element-id="deadlines_r1_o1"]').evaluate(
        "c => getComputedStyle(c).outlineStyle") == "none"
    screenshot(page, "modeler-week-refused")

    problems.filter(has_text="没有默认路径").click()
    page.wait_for_selector(f"#canvas:not([hidden]) {GATEWAY}.od-error")
    screenshot(page, "modeler-gateway-flagged")

    page.get_by_role("button", name="部署").click()
    page.locator("#problems h2", has_text="检查未通过：2 个问题").wait_for()
    db.session.expire_all()
    assert db.session.scalar(select(func.max(Deployment.version)).where(
        Deployment.process_id == "four_levels_seven_days")) == 1
