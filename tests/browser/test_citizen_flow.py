"""A citizen on a phone: submits a dispute with an SMS code, follows it by code, rates it after close."""

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.public.models import Rating, SatisfactionRating
from app.reports.indicators import satisfaction_counts
from app.reports.periods import period_containing
from tests.browser.test_phone_layout import assert_fits, phone  # noqa: F401 - fixture
from tests.processes.conftest import local  # noqa: F401 - fixtures
from tests.public.conftest import last_code
from tests.public.test_public import close


def test_submit_track_and_rate_on_a_phone(live_server, phone, screenshot, desk, clock):  # noqa: F811
    phone.goto(f"{live_server}/public/")
    assert_fits(phone, screenshot, "public-home")
    phone.get_by_role("link", name="我要反映").first.click()
    phone.get_by_label("手机号码").fill("13912345678")
    assert_fits(phone, screenshot, "public-phone")
    phone.get_by_role("button", name="获取短信验证码").click()
    expect(phone.get_by_role("status").filter(has_text="验证码已发送")).to_be_visible()
    phone.get_by_label("短信验证码").fill("000000" if last_code() != "000000" else "111111")
    phone.get_by_label("您的姓名").fill("张三")
    phone.get_by_label("反映事项（一句话）").fill("网购家电退货纠纷")
    phone.get_by_label("详细情况").fill("网购冰箱送达后损坏，商家拒绝退货，多次协商未果。")
    phone.get_by_label("纠纷类别").select_option(label="消费")
    phone.get_by_label("所在村（社区）网格").select_option(value="zy-1-1-1-1")
    phone.get_by_role("button", name="提交").click()
    expect(phone.get_by_role("alert").filter(has_text="验证码不正确").first).to_be_visible()
    assert_fits(phone, screenshot, "public-submit-wrong-code")
    phone.get_by_label("短信验证码").fill(last_code())
    phone.get_by_role("button", name="提交").click()
    expect(phone.get_by_role("heading", name="受理回执")).to_be_visible()
    code = phone.locator("#case-code").inner_text()
    assert_fits(phone, screenshot, "public-receipt")

    phone.get_by_role("link", name="查询办理进度").click()
    assert phone.get_by_label("案件编码").input_value() == code
    phone.get_by_label("手机号后四位").fill("1234")
    phone.get_by_role("button", name="查询").click()
    expect(phone.get_by_role("alert").filter(has_text="未查询到案件").first).to_be_visible()
    phone.get_by_label("手机号后四位").fill("5678")
    phone.get_by_role("button", name="查询").click()
    assert phone.locator("#case-status").inner_text() == "办理中"
    assert "中心当场调解" in phone.locator("[data-current-step]").inner_text()
    assert_fits(phone, screenshot, "public-case")

    close(desk, code)
    phone.goto(f"{live_server}/public/track?code={code}")
    phone.get_by_label("手机号后四位").fill("5678")
    phone.get_by_role("button", name="查询").click()
    assert phone.locator("#case-status").inner_text() == "已销号"
    phone.get_by_label("基本满意").check()
    phone.get_by_label("意见和建议").fill("调解员很耐心")
    assert_fits(phone, screenshot, "public-rate")
    phone.get_by_role("button", name="提交评价").click()
    assert "基本满意" in phone.locator("#rating-done").inner_text()
    assert_fits(phone, screenshot, "public-rated")
    db.session.expire_all()
    assert db.session.scalar(select(SatisfactionRating.rating)) == Rating.BASICALLY_SATISFIED
    # 满意率 (app/reports): the return visit's 满意 and the citizen's 基本满意, each counted once
    march = satisfaction_counts(None, period_containing("monthly", local(2026, 3, 1).date()))
    assert march == {"rated": 2, "satisfied": 2}
