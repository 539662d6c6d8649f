"""The grid worker app reloads without signal from its service-worker cache, and a lapsed
session never replaces the cached app with the sign-in page."""

import re
import time

from playwright.sync_api import expect
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.channels.grid.models import GridReport
from app.extensions import db
from app.org.models import User
from app.unit_of_work import run_unit
from tests.browser.test_phone_layout import PHONE, assert_fits
from tests.helpers import sign_in_page


def reports() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(GridReport))


def wait_for_reports(n: int, seconds: float = 20) -> None:
    """The server has `n` reports (the page sends them in the background)."""
    end = time.monotonic() + seconds
    while reports() != n and time.monotonic() < end:
        time.sleep(0.2)
    assert reports() == n


def open_app(browser, live_server):
    """A phone context signed in as the grid worker, the app open and its service worker ready."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    sign_in_page(page, live_server, "grid")
    page.goto(f"{live_server}/grid/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    return context, page


def report(page, title: str, *, dispute: bool = False) -> None:
    """Fill and send the report form."""
    page.get_by_label("矛盾纠纷" if dispute else "安全隐患").check()
    page.get_by_label("标题").fill(title)
    page.get_by_label("情况描述").fill("网格员巡查发现的情况，当事双方情绪激动，需要尽快调处。")
    if dispute:
        page.get_by_label("纠纷类别").select_option(value="neighbour")
        page.get_by_label("当事人姓名").fill("刘七")
    page.get_by_role("button", name="上报").click()


def test_an_offline_reload_shows_the_shell_and_inbox_and_a_lapsed_session_keeps_the_cache(
        live_server, browser, screenshot, processes):  # noqa: F811
    context, page = open_app(browser, live_server)
    report(page, "邻里因排水沟发生争执", dispute=True)  # gives the worker a first task at the grid
    wait_for_reports(1)
    page.reload()  # now through the service worker: the page with the task card is cached
    expect(page.locator("#task-cards .task-card")).to_have_count(1)

    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", name="网格员", exact=True)).to_be_visible()
    expect(page.locator("#task-cards .task-card")).to_have_count(1)
    expect(page.locator("#task-cards")).to_contain_text("邻里因排水沟发生争执")
    assert_fits(page, screenshot, "grid-app-offline-reload")
    report(page, "路口护栏倒伏")
    expect(page.locator("#queue-count")).to_have_text("1")
    assert reports() == 1
    context.set_offline(False)
    expect(page.locator("#queue-count")).to_have_text("0", timeout=30000)
    wait_for_reports(2)

    context.clear_cookies()  # the session lapsed
    page.goto(f"{live_server}/grid/")
    expect(page).to_have_url(re.compile(r"/login"))
    cached = page.evaluate("caches.match(location.origin + '/grid/').then(r => r && r.text())")
    assert cached and 'id="grid-app"' in cached and 'name="password"' not in cached
    context.set_offline(True)
    page.goto(f"{live_server}/grid/")
    expect(page.get_by_role("heading", name="网格员", exact=True)).to_be_visible()
    expect(page.locator("#task-cards .task-card")).to_have_count(1)
    screenshot(page, "phone-grid-app-offline-after-lapse")
    context.close()


def test_an_offline_report_sent_after_the_worker_was_disabled_is_kept_and_explained(
        live_server, browser, screenshot, processes):  # noqa: F811
    context, page = open_app(browser, live_server)
    context.set_offline(True)
    report(page, "路口护栏倒伏")
    expect(page.locator("#queue-count")).to_have_text("1")

    def disable():
        db.session.scalar(select(User).where(User.username == "grid")).active = False
    run_unit(disable)
    context.set_offline(False)
    expect(page.locator("#net-state")).to_contain_text("重新登录", timeout=30000)
    page.wait_for_timeout(1000)  # the message stays: it is not wiped when the flush ends
    expect(page.locator("#net-state")).to_contain_text("重新登录")
    expect(page.locator("#queue-count")).to_have_text("1")  # kept on the phone, not lost
    assert reports() == 0
    db.session.expire_all()
    refusals = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "grid.app_refused")).all()
    assert refusals and {e.summary["reason"] for e in refusals} == {"signed_out"}
    screenshot(page, "phone-grid-app-disabled-worker")
    context.close()
