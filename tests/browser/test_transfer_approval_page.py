"""转办 with the coordinator's approval end to end in Chromium, at 1366 and 390 px: 信访局's handler
asks to hand a 信访 task to 住建局 (the task stays, marked 转办待审批); the coordinator finds it
under 待审批 (the menu entry with its count) and approves; 住建局's handler sees the task and the
reason it was sent."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_urge_overdue_page import fits, open_page
from tests.functional.test_case_file import can_sign_in
from tests.helpers import sign_in_page
from tests.processes.conftest import Desk  # noqa: F401 - fixtures

REASON = "信访人反映的是小区违建问题，属住建局职责"


def open_menu(page) -> None:
    """On a phone the menu is behind its toggle."""
    toggle = page.get_by_role("button", name="菜单")
    if toggle.is_visible():
        toggle.click()


@pytest.mark.parametrize("width", [1366, 390])
def test_transfer_with_approval_end_to_end(live_server, browser, screenshot, processes, org, clock,
                                           handlers, width):  # noqa: F811
    desk = Desk(org, clock)
    case = desk.open(channel="petition", category="other", title="信访转来的小区违建问题",
                     external_ref="XF-2026-0401")
    task = desk.task(case, "petition_accept")
    can_sign_in("petition", "信访局承办人")
    can_sign_in("housing", "住建局承办人")

    petition = open_page(browser, width)
    sign_in_page(petition, live_server, "petition")
    petition.goto(f"{live_server}/tasks/{task.id}")
    petition.get_by_role("button", name="认领").click()
    expect(petition.locator("#transfer").get_by_text("本环节转办须经综治中心调度审批")).to_be_visible()
    petition.get_by_label("转办给").select_option(label="甘州区住建局")
    petition.get_by_label("转办理由").fill(REASON)
    petition.get_by_role("button", name="提交转办申请").click()
    expect(petition.locator("#transfer-pending").get_by_text(REASON, exact=False)).to_be_visible()
    expect(petition.locator("#transfer")).to_have_count(0)  # one request at a time
    expect(petition.locator("dl.meta").get_by_text("转办待审批")).to_be_visible()
    fits(petition)
    screenshot(petition, f"transfer-awaiting-approval-{width}")
    petition.goto(f"{live_server}/?tab=mine")  # still ours, marked in the inbox
    expect(petition.locator("#inbox tr", has_text=case.code).get_by_text("转办待审批")).to_be_visible()

    coordinator = open_page(browser, width)
    sign_in_page(coordinator, live_server, "coordinator")
    open_menu(coordinator)
    entry = coordinator.get_by_role("link", name="待审批，1 项")
    expect(entry).to_be_visible()
    entry.click()
    card = coordinator.locator("#approvals section", has_text=task.title)
    expect(card.get_by_text(REASON)).to_be_visible()
    fits(coordinator)
    screenshot(coordinator, f"transfer-approvals-list-{width}")
    card.get_by_label("审批意见").fill("同意转住建局办理")
    card.get_by_role("button", name="批准转办").click()
    expect(coordinator.get_by_role("status").filter(has_text="已批准转办")).to_be_visible()
    expect(coordinator.locator("#approvals-empty")).to_be_visible()

    housing = open_page(browser, width)
    sign_in_page(housing, live_server, "housing")
    housing.locator("#inbox tr", has_text=case.code).get_by_role("link", name=task.title).click()
    actions = housing.locator("#task-actions")
    landed = actions.get_by_text(f"转至住建局。理由：{REASON}（经孙调度批准", exact=False)
    expect(landed).to_be_visible()
    housing.get_by_role("button", name="认领").click()
    expect(housing.get_by_role("button", name="提交办结")).to_be_visible()
    fits(housing)
    screenshot(housing, f"transfer-landed-with-its-reason-{width}")
    for page in (petition, coordinator, housing):
        page.context.close()
