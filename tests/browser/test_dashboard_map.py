"""态势大屏 in Chromium: ECharts served locally draws the demo grid polygons as a heat map,
a click on a grid opens its cases, and the page refreshes itself."""

from playwright.sync_api import expect

from tests.helpers import sign_in_page
from tests.processes.conftest import local
from tests.supervision.dashboard_data import seed_dashboard


def test_dashboard_draws_the_grid_map_and_clicks_through(live_server, page, screenshot, org, clock, app):
    app.config["DASHBOARD_REFRESH_SECONDS"] = 2
    clock.set(local(2026, 3, 4, 10, 0))
    expected = seed_dashboard(clock)
    external = []
    page.on("request", lambda r: None if r.url.startswith(live_server) else external.append(r.url))
    sign_in_page(page, live_server, "coordinator")
    page.get_by_role("link", name="态势大屏").click()
    page.wait_for_selector("#dashboard[data-loaded]")
    page.wait_for_selector("#chart-map svg path")
    assert page.locator("#chart-map svg path").count() >= 8  # one polygon per grid of 甘州区
    assert "数据时间" in page.locator("#dash-status").inner_text()
    red = page.locator("#risk-tiles a.tier-red strong").inner_text()
    assert int(red) == expected["red"]
    assert page.locator("#trend-definition").inner_text().startswith("口径：化解率 = ")
    assert page.locator("#satisfaction-rate").inner_text() == "暂无评价"  # nobody rated yet
    assert "每条评价计一次" in page.locator("#satisfaction-definition").inner_text()
    screenshot(page, "dashboard-coordinator")
    assert external == []  # works offline: ECharts and data come from our own server

    page.set_viewport_size({"width": 820, "height": 1000})
    screenshot(page, "dashboard-narrow")

    first = page.locator("#dashboard").get_attribute("data-loaded")
    clock.set(local(2026, 3, 4, 10, 5))
    page.wait_for_function(f"document.getElementById('dashboard').dataset.loaded !== '{first}'")

    page.locator("#risk-tiles a.tier-red").click()
    page.wait_for_url("**/dashboard/list**")
    expect(page.locator("#figure-cases tbody tr")).to_have_count(expected["red"])
