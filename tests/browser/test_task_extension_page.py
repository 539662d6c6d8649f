"""延期申请 end to end in Chromium: 人社局's handler asks beyond the cap (refused at the field),
then for three more days; the coordinator grants it; the task page and the case file show the
new deadline."""

from datetime import timedelta

from playwright.sync_api import expect

from tests.browser.test_case_file_context import new_page
from tests.conftest import SHANGHAI as LOCAL
from tests.helpers import sign_in_page
from tests.processes.conftest import Desk  # noqa: F401 - fixtures

REASON = "当事人住院治疗，需待其出院后再组织调解"


def test_extension_end_to_end(live_server, browser, screenshot, processes, org, clock):  # noqa: F811
    desk = Desk(org, clock)
    case = desk.open(category="labour", title="拖欠工资纠纷", amount=42000, people_count=3)
    task = desk.task(case, "department_mediation")
    due = task.due_at.astimezone(LOCAL)
    hrss = new_page(browser)
    sign_in_page(hrss, live_server, "hrss")
    hrss.goto(f"{live_server}/tasks/{task.id}")
    hrss.get_by_role("button", name="认领").click()
    hrss.get_by_label("新的办理期限").fill((due + timedelta(days=300)).date().isoformat())
    hrss.get_by_label("延期理由").fill(REASON)
    hrss.locator("#extend-submit").click()
    expect(hrss.locator("#extend").get_by_role("alert").filter(has_text="延长期限不得超过")).to_be_visible()
    screenshot(hrss, "extension-beyond-the-cap")
    new_due = due + timedelta(days=3)
    hrss.get_by_label("新的办理期限").fill(new_due.date().isoformat())
    hrss.get_by_label("延期理由").fill(REASON)
    hrss.locator("#extend-submit").click()
    expect(hrss.locator("#extension-pending").get_by_text(REASON, exact=False)).to_be_visible()

    coordinator = new_page(browser)
    sign_in_page(coordinator, live_server, "coordinator")
    coordinator.goto(f"{live_server}/tasks/{task.id}")
    screenshot(coordinator, "extension-awaiting-approval")
    coordinator.get_by_label("审批意见").fill("同意延期，请抓紧组织调解")
    coordinator.locator("#grant-extension").click()
    shown = new_due.strftime("%Y-%m-%d")
    expect(coordinator.locator("dl.meta").get_by_text(shown, exact=False)).to_be_visible()

    hrss.goto(f"{live_server}/tasks/{task.id}")
    expect(hrss.locator("dl.meta").get_by_text(shown, exact=False)).to_be_visible()
    hrss.goto(f"{live_server}/cases/{case.code}")
    expect(hrss.locator("#case-file").get_by_text("批准延期至 " + new_due.strftime("%Y年%m月%d日"),
                                                  exact=False)).to_be_visible()
    screenshot(hrss, "extension-in-the-case-file")
