"""催办 started by hand from the overdue list, in Chromium at 1366 and 390 px: the supervisor
picks one overdue task on 逾期台账, writes the requirement and sends the 催办; 人社局's handler
finds it in the bell and reads the requirement on the task page."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.helpers import sign_in_page
from tests.processes.conftest import Desk  # noqa: F401 - fixtures

REQUIREMENT = "请于今日内联系双方当事人，明日前完成调解并报结果"
WIDTHS = {1366: {"width": 1366, "height": 900}, 390: {"width": 390, "height": 844}}


def open_page(browser, width: int):
    """A fresh context at `width` px (390: a phone, with touch)."""
    phone = width < 500
    context = browser.new_context(viewport=WIDTHS[width], locale="zh-CN", is_mobile=phone,
                                  has_touch=phone)
    page = context.new_page()
    page.set_default_timeout(15000)
    return page


def fits(page) -> None:
    """Nothing scrolls sideways."""
    assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate("innerWidth")


@pytest.mark.parametrize("width", [1366, 390])
def test_chase_from_the_overdue_list_reaches_the_department(
        live_server, browser, screenshot, processes, org, clock, width):  # noqa: F811
    desk = Desk(org, clock)
    case = desk.open(category="labour", title="拖欠工资纠纷", amount=42000, people_count=3)
    task = desk.task(case, "department_mediation")
    clock.set(task.due_at + timedelta(days=2))  # overdue; the worker has not chased it

    supervisor = open_page(browser, width)
    sign_in_page(supervisor, live_server, "supervisor")  # lands on 逾期台账
    row = supervisor.locator("tr", has_text=case.code)
    expect(row).to_be_visible()
    screenshot(supervisor, f"urge-overdue-list-{width}")
    row.get_by_role("link", name="催办/督办").click()
    supervisor.get_by_role("button", name="发出").click()  # nothing chosen, nothing written
    expect(supervisor.locator("#urge").get_by_role("alert").filter(has_text="请选择催办或督办")).to_be_visible()
    supervisor.get_by_role("radio", name=re.compile("^催办")).check()
    supervisor.get_by_label("要求").fill(REQUIREMENT)
    screenshot(supervisor, f"urge-form-{width}")
    fits(supervisor)
    supervisor.get_by_role("button", name="发出").click()
    supervisor.wait_for_url(f"{live_server}/supervision/overdue")
    expect(supervisor.get_by_role("status").filter(has_text="已催办")).to_be_visible()

    hrss = open_page(browser, width)
    sign_in_page(hrss, live_server, "hrss")
    hrss.goto(f"{live_server}/notifications")
    expect(hrss.get_by_text(f"催办：案件 {case.code}", exact=False).first).to_be_visible()
    expect(hrss.get_by_text(REQUIREMENT, exact=False).first).to_be_visible()
    hrss.goto(f"{live_server}/tasks/{task.id}")
    expect(hrss.locator("#urgings").get_by_text(f"催办要求：{REQUIREMENT}")).to_be_visible()
    fits(hrss)
    screenshot(hrss, f"urge-seen-by-the-department-{width}")
    supervisor.context.close()
    hrss.context.close()
