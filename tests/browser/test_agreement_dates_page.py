"""The agreement's date rules in Chromium over real HTTP: the page reads the schema's own
x-not-before / x-not-future (as data attributes) and says the server's message as the dates
change; the submit then answers every error at once."""

from playwright.sync_api import expect

from tests.browser.test_case_file_context import new_page
from tests.helpers import sign_in_page
from tests.processes.conftest import Desk  # noqa: F401 - fixtures


def test_the_page_mirrors_the_date_rules_and_the_server_agrees(
        live_server, browser, screenshot, processes, org, clock):  # noqa: F811
    desk = Desk(org, clock)  # 2 March 2026 in Shanghai, on the server and so on the page
    task = desk.task(desk.open(), "level_mediation")
    page = new_page(browser)
    sign_in_page(page, live_server, "grid")
    page.goto(f"{live_server}/tasks/{task.id}")
    page.get_by_role("button", name="认领").click()
    page.get_by_role("group", name="调解结果").get_by_label("调解成功").check()
    signed, deadline = page.get_by_label("协议签订日期"), page.get_by_label("履行期限")
    expect(signed).to_have_attribute("max", "2026-03-02")
    signed.fill("2026-03-05")
    expect(page.get_by_text("「协议签订日期」不能晚于今天")).to_be_visible()
    signed.fill("2026-03-02")
    expect(page.get_by_text("「协议签订日期」不能晚于今天")).to_have_count(0)
    deadline.fill("2026-03-01")
    expect(page.get_by_text("「履行期限」不能早于「协议签订日期」")).to_be_visible()
    screenshot(page, "agreement-dates-in-page")

    signed.fill("2026-03-09")
    page.get_by_role("button", name="提交办结").click()
    expect(page.get_by_text("「履行期限」不能早于「协议签订日期」")).to_have_count(1)
    expect(page.get_by_text("「协议签订日期」不能晚于今天")).to_have_count(1)
    expect(page.get_by_text("请填写「纠纷的主要事实、争议事项」")).to_be_visible()  # all at once
    screenshot(page, "agreement-dates-refused")
