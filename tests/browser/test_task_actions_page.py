"""转办 end to end in Chromium: 人社局 refuses without a reason (message at the field), then hands
the task to 住建局 with one; 住建局 sees it in its inbox; the case file shows the reason."""

from playwright.sync_api import expect

from tests.browser.test_case_file_context import new_page
from tests.functional.test_case_file import can_sign_in
from tests.helpers import sign_in_page
from tests.processes.conftest import Desk  # noqa: F401 - fixtures

REASON = "拖欠的是建筑工地农民工工资，属住建局职责"


def test_transfer_end_to_end(live_server, browser, screenshot, processes, org, clock, handlers):  # noqa: F811
    desk = Desk(org, clock)
    case = desk.open(category="labour", title="拖欠工资纠纷", amount=42000, people_count=3)
    task = desk.task(case, "department_mediation")
    hrss = new_page(browser)
    sign_in_page(hrss, live_server, "hrss")
    hrss.goto(f"{live_server}/tasks/{task.id}")
    hrss.get_by_role("button", name="认领").click()
    hrss.get_by_label("转办给").select_option(label="甘州区住建局")
    hrss.locator("#transfer-submit").click()
    expect(hrss.locator("#transfer").get_by_role("alert").filter(has_text="请填写理由")).to_be_visible()
    screenshot(hrss, "transfer-refused-without-reason")
    hrss.get_by_label("转办给").select_option(label="甘州区住建局")
    hrss.get_by_label("转办理由").fill(REASON)
    hrss.locator("#transfer-submit").click()
    hrss.wait_for_url(f"{live_server}/")

    can_sign_in("housing", "住建局承办人")
    housing = new_page(browser)
    sign_in_page(housing, live_server, "housing")
    housing.locator("#inbox tr", has_text=case.code).get_by_role("link").nth(1).click()
    housing.get_by_role("button", name="认领").click()
    expect(housing.get_by_role("button", name="提交办结")).to_be_visible()
    housing.goto(f"{live_server}/cases/{case.code}")
    expect(housing.locator("#case-file").get_by_text(REASON, exact=False)).to_be_visible()
    screenshot(housing, "transfer-case-file")


def test_return_to_the_center_end_to_end(live_server, browser, screenshot, processes, org, clock):  # noqa: F811
    desk = Desk(org, clock)
    case = desk.open(category="labour", title="个体户货款纠纷", amount=8000, people_count=2)
    task = desk.task(case, "department_mediation")
    hrss = new_page(browser)
    sign_in_page(hrss, live_server, "hrss")
    hrss.goto(f"{live_server}/tasks/{task.id}")
    hrss.get_by_role("button", name="认领").click()
    hrss.locator("#return-submit").click()
    expect(hrss.locator("#send-back").get_by_role("alert").filter(has_text="请填写理由")).to_be_visible()
    reason = "双方为个体工商户之间的货款纠纷，不属劳动争议"
    hrss.get_by_label("退回理由").fill(reason)
    hrss.locator("#return-submit").click()
    hrss.wait_for_url(f"{live_server}/")

    coordinator = new_page(browser)
    sign_in_page(coordinator, live_server, "coordinator")
    coordinator.goto(f"{live_server}/tasks/{task.id}")
    expect(coordinator.locator("#task-actions").get_by_text(reason, exact=False)).to_be_visible()
    expect(coordinator.get_by_label("转办给")).to_be_visible()
    screenshot(coordinator, "return-at-the-center")
