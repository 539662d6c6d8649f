"""退回上一步 in Chromium over real HTTP: the village committee sends level 2 back; the grid
worker's reopened task page says why."""

from playwright.sync_api import expect

from tests.browser.test_case_file_context import new_page
from tests.helpers import sign_in_page
from tests.processes.conftest import Desk  # noqa: F401 - fixtures

FAILED = {"result": "failed", "summary": "双方分歧较大，本级无法化解"}
REASON = "当事人住址有误，请网格员重新核实"


def test_send_back_to_the_previous_step(live_server, browser, screenshot, processes, org, clock):  # noqa: F811
    desk = Desk(org, clock)
    case = desk.open()
    grid = desk.task(case, "level_mediation")
    desk.do(grid, "grid", FAILED)
    village = new_page(browser)
    sign_in_page(village, live_server, "village")
    village.goto(f"{live_server}/tasks/{desk.task(case, 'level_mediation').id}")
    village.get_by_role("button", name="认领").click()
    village.get_by_role("button", name="退回上一步").click()
    expect(village.locator("#send-back-previous").get_by_text("请填写理由（至少 4 个字）")).to_be_visible()
    village.get_by_label("退回上一步理由").fill(REASON)
    village.get_by_role("button", name="退回上一步").click()
    village.wait_for_url(f"{live_server}/")
    expect(village.get_by_text("已退回上一步")).to_be_visible()

    worker = new_page(browser)
    sign_in_page(worker, live_server, "grid")
    worker.goto(f"{live_server}/tasks/{grid.id}")
    actions = worker.locator("#task-actions")
    expect(actions.get_by_text("退回上一步", exact=True)).to_be_visible()
    expect(actions.get_by_text(REASON, exact=False)).to_be_visible()
    expect(worker.get_by_role("button", name="认领")).to_be_visible()
    screenshot(worker, "send-back-previous-reopened")
