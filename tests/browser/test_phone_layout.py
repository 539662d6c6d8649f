"""Every page a phone user reaches, at 390×844: nothing scrolls sideways, targets are big enough.

Screenshots land in tests/browser/artifacts/phone-*.png.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.test_dispute_flow import register_dispute
from tests.helpers import sign_in_page

PHONE = {"width": 390, "height": 844}
TARGETS = ("main button, main .button, main select, header button, header select, "
           "main input:not([type=hidden]):not([type=radio]):not([type=checkbox]):not([type=file])")


@pytest.fixture
def phone(browser):
    """A fresh phone-sized context and page."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def assert_fits(page, screenshot, name: str) -> None:
    """No sideways scrolling; every visible link and button in main is at least 44 px tall."""
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("innerWidth")
    screenshot(page, f"phone-{name}")
    assert width <= inner, f"{name}: page is {width} px wide in a {inner} px window"
    small = page.evaluate("""(sel) => Array.from(document.querySelectorAll(sel))
        .filter(e => e.offsetParent !== null)
        .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect().height])
        .filter(([, h]) => h < 44)""", TARGETS)
    assert small == [], f"{name}: touch targets under 44 px: {small}"


def test_staff_pages_fit_a_phone(live_server, phone, browser, screenshot, processes):  # noqa: F811
    phone.goto(f"{live_server}/login")
    assert_fits(phone, screenshot, "login")
    sign_in_page(phone, live_server, "clerk")
    phone.goto(f"{live_server}/cases/new")
    assert_fits(phone, screenshot, "intake")
    code = register_dispute(phone, live_server)
    assert_fits(phone, screenshot, "case-page")

    toggle = phone.get_by_role("button", name="菜单")
    expect(toggle).to_be_visible()
    expect(phone.get_by_role("button", name="退出")).not_to_be_visible()
    toggle.click()
    expect(phone.get_by_role("button", name="退出")).to_be_visible()
    assert_fits(phone, screenshot, "menu-open")

    mediator = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True,
                                   has_touch=True).new_page()
    sign_in_page(mediator, live_server, "mediator")
    assert_fits(mediator, screenshot, "inbox")
    row = mediator.locator("#inbox tr", has_text=code)
    assert row.bounding_box()["height"] < 400  # a card, not one character per line
    row.get_by_role("link").nth(1).click()
    assert_fits(mediator, screenshot, "task-page")
    mediator.get_by_role("button", name="认领").click()
    assert_fits(mediator, screenshot, "task-claimed")
    mediator.goto(f"{live_server}/cases/")
    assert_fits(mediator, screenshot, "case-list")
    for width in (360, 1920):
        mediator.set_viewport_size({"width": width, "height": 900})
        for path, name in (("/", "inbox"), (f"/cases/{code}", "case-page")):
            mediator.goto(f"{live_server}{path}")
            scroll = mediator.evaluate("document.documentElement.scrollWidth")
            assert scroll <= mediator.evaluate("innerWidth"), f"{name} at {width} px: {scroll} px wide"
        screenshot(mediator, f"width-{width}-case-page")


@pytest.mark.parametrize(("username", "paths"), [
    ("supervisor", ["/supervision/overdue", "/supervision/orders", "/supervision/departments", "/reports/",
                    "/notifications"]),
    ("admin", ["/notify/", "/designer/"]),
])
def test_the_other_staff_pages_fit_a_phone(live_server, phone, screenshot, processes, username,  # noqa: F811
                                          paths):
    sign_in_page(phone, live_server, username)
    for path in paths:
        phone.goto(f"{live_server}{path}")
        assert phone.evaluate("document.documentElement.scrollWidth") <= phone.evaluate("innerWidth"), path
        screenshot(phone, "phone-" + path.strip("/").replace("/", "-"))
