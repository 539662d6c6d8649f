"""The issue's browser scenario on the real processes, in Debian Chromium over real HTTP.

A window clerk registers a dispute; the township mediator claims the task, submits one
invalid field (the Chinese error shows, nothing is saved), then valid data; the case
page shows the new step in the route map and the diagram with highlighted elements.
"""

from playwright.sync_api import expect
from sqlalchemy import select

from app.cases.models import Case
from app.extensions import db
from app.workflow.models import HumanTask, TaskState
from tests.helpers import sign_in_page


def register_dispute(page, base):
    page.goto(f"{base}/cases/new")
    page.get_by_label("所在网格").select_option(label="梁家墩镇第1村第1网格")
    page.get_by_label("案件标题").fill("网购家电退货纠纷")
    page.get_by_label("纠纷简要情况").fill("村民网购冰箱送达后损坏，商家拒绝退货，双方争执。")
    page.get_by_role("group", name="受理渠道").get_by_label("来访窗口").check() \
        if page.get_by_role("group", name="受理渠道").count() else \
        page.get_by_label("受理渠道").select_option(label="来访窗口")
    page.get_by_label("纠纷类别").select_option(label="消费")
    page.get_by_label("风险等级").select_option(label="黄色")
    page.get_by_label("涉及金额（元）").fill("800")
    page.get_by_label("涉及人数").fill("2")
    page.get_by_label("姓名（第1项）").fill("张三")
    page.locator("select[name='parties.0.role']").select_option(index=1)
    page.get_by_label("联系电话（第1项）").fill("13912345678")
    page.get_by_role("button", name="受理并生成案件编码").click()
    page.wait_for_url(f"{base}/cases/ZY-*")
    return page.locator("#case-code").inner_text()


def test_register_mediate_with_an_error_then_see_the_route_map(
        live_server, page, browser, screenshot, processes, clock):  # noqa: F811
    sign_in_page(page, live_server, "clerk")
    code = register_dispute(page, live_server)
    assert code.startswith("ZY-2026-")

    mediator = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    sign_in_page(mediator, live_server, "mediator")
    row = mediator.locator("#inbox tr", has_text=code)
    screenshot(mediator, "inbox-township-mediator")
    row.get_by_role("link").nth(1).click()
    mediator.get_by_role("button", name="认领").click()

    mediator.get_by_role("group", name="调解结果").get_by_label("调解不成 / 上交上一级").check()
    mediator.get_by_label("调解情况").fill("短")
    mediator.get_by_role("button", name="提交办结").click()
    expect(mediator.get_by_role("alert").filter(has_text="「调解情况」至少需要 5 个字")).to_be_visible()
    db.session.expire_all()
    case = db.session.scalar(select(Case).where(Case.code == code))
    [first] = db.session.scalars(select(HumanTask).where(HumanTask.business_key == code)).all()
    assert first.state == TaskState.READY

    mediator.get_by_label("调解情况").fill("双方对赔偿金额分歧较大，当场未能达成一致")
    mediator.get_by_role("button", name="提交办结").click()
    mediator.wait_for_url(f"{live_server}/")

    mediator.goto(f"{live_server}/cases/{code}")
    route = mediator.locator("#route-map")
    expect(route.locator("tr.state-done", has_text=first.title)).to_have_count(1)
    assert route.locator("tr.state-active").count() >= 1
    mediator.wait_for_selector(".diagram[data-rendered='true']")
    assert mediator.locator(".diagram .od-done").count() >= 1
    assert mediator.locator(".diagram .od-active").count() >= 1
    screenshot(mediator, "case-page")
    assert case.status.value == "in_progress"
