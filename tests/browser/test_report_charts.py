"""Report charts in Chromium: ECharts draws them as SVG from the options in the report body,
on screen, on the printable page and in a printed PDF."""

from playwright.sync_api import expect

from app.unit_of_work import run_unit
from tests.helpers import sign_in_page
from tests.processes.conftest import local
from tests.supervision.dashboard_data import seed_cases


def test_report_charts_draw_and_print(live_server, page, screenshot, org, clock):
    clock.set(local(2026, 3, 20, 10, 0))
    run_unit(lambda: seed_cases(clock.now()))
    external = []
    page.on("request", lambda r: None if r.url.startswith(live_server) else external.append(r.url))
    sign_in_page(page, live_server, "supervisor")
    county = org.unit("zy-1").id
    page.goto(f"{live_server}/reports/view?org_unit_id={county}&kind=analysis&day=2026-03-01")
    page.wait_for_selector(".report-chart[data-drawn] svg")
    expect(page.locator(".report-chart[data-drawn] svg")).to_have_count(3)  # channels, categories, trend
    assert "来访窗口" in page.locator(".report-chart").first.inner_text()
    screenshot(page, "report-analysis-charts")

    page.goto(f"{live_server}/reports/view?org_unit_id={county}&kind=analysis&day=2026-03-01&print=1")
    page.wait_for_selector(".report-chart[data-drawn] svg")
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    screenshot(page, "report-analysis-print")
    assert external == []
