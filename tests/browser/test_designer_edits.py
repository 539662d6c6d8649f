"""Edits in the DMN decision table stick: the draft turns dirty, leaving asks first, the save
survives a reload, the draft shows what changed, and the deploy gives cases the new deadline."""

from sqlalchemy import select

from app.extensions import db
from app.workflow.models import Deployment
from tests.helpers import sign_in_page
from tests.processes.conftest import Desk, end_of, local

GRID_AMOUNT = 'td[data-element-id="deadlines_r0_o0"]'


def open_deadlines(page):
    page.wait_for_selector("#modeler-app[data-ready=true]")
    page.get_by_role("link", name="deadlines.dmn", exact=True).click()
    page.locator(f"#dmn-canvas {GRID_AMOUNT}").wait_for()


def test_a_decision_table_edit_is_saved_survives_reload_and_deploys(live_server, page, screenshot,
                                                                    processes, org, clock):  # noqa: F811
    sign_in_page(page, live_server, "designer")
    page.goto(f"{live_server}/designer/")
    page.get_by_role("button", name="在线编辑 四级七天").click()
    open_deadlines(page)
    assert page.locator("#draft-changes").inner_text().strip() == "与基础版本相同，尚无修改"

    cell = page.locator(f"#dmn-canvas {GRID_AMOUNT} [contenteditable]")
    cell.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("3")
    page.wait_for_selector("#modeler-app[data-dirty=true]")
    assert "deadlines.dmn" in page.locator("#dirty-note").inner_text()

    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.type), d.dismiss()))
    page.get_by_role("link", name="流程设计").first.click()  # leaving: the browser asks first
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"] and "/drafts/" in page.url

    page.get_by_role("button", name="保存草稿").click()
    page.locator("#status", has_text="草稿已保存").wait_for()
    changes = page.locator("#draft-changes")
    changes.locator("#diff-rules").wait_for()
    assert "期限规则表 · 第 1 行" in changes.inner_text() and "数量：1 → 3" in changes.inner_text()
    assert page.locator("#modeler-app").get_attribute("data-dirty") == "false"

    page.reload()
    open_deadlines(page)
    assert page.locator(f"#dmn-canvas {GRID_AMOUNT}").inner_text().strip() == "3"
    assert "数量：1 → 3" in page.locator("#draft-changes").inner_text()
    screenshot(page, "modeler-dmn-edit-saved")

    page.get_by_role("button", name="检查").click()
    page.locator("#problems .ok", has_text="检查通过").wait_for()
    page.get_by_label("变更说明").fill("网格员期限改为 3 个工作日")
    page.get_by_role("button", name="部署").click()
    page.locator("#problems .ok", has_text="four_levels_seven_days 版本 2").wait_for()

    db.session.expire_all()
    new = db.session.scalar(select(Deployment).where(Deployment.process_id == "four_levels_seven_days",
                                                     Deployment.version == 2))
    assert new is not None and new.note == "网格员期限改为 3 个工作日"
    clock.set(local(2026, 3, 2, 9, 0))  # Monday
    desk = Desk(org, clock)
    case = desk.open()
    [grid] = desk.tasks(case)
    assert grid.bpmn_id == "level_mediation"
    assert grid.due_at == end_of(2026, 3, 5)  # 3 working days: Tue–Thu (version 1 gave Tue 3 March)
