"""Intake at the window in Chromium: two parties added in the page, an ID number refused by its
GB 11643 check digit (message next to the field, nothing saved), then accepted; blank amount."""

from playwright.sync_api import expect
from sqlalchemy import func, select

from app.cases.models import Case
from app.extensions import db
from tests.helpers import sign_in_page


def test_two_parties_and_an_id_number_checked(live_server, page, screenshot, processes):  # noqa: F811
    sign_in_page(page, live_server, "clerk")
    page.goto(f"{live_server}/cases/new")
    page.get_by_label("所在网格").select_option(label="梁家墩镇第1村第1网格")
    page.get_by_label("案件标题").fill("宅基地边界纠纷")
    page.get_by_label("纠纷简要情况").fill("两户因宅基地边界发生争执，要求调解。")
    channel = page.get_by_role("group", name="受理渠道")
    if channel.count():
        channel.get_by_label("来访窗口").check()
    else:
        page.get_by_label("受理渠道").select_option(label="来访窗口")
    page.get_by_label("纠纷类别").select_option(label="房屋宅基地")
    page.get_by_label("风险等级").select_option(label="黄色")
    page.get_by_label("涉及人数").fill("2")
    page.get_by_label("姓名（第1项）").fill("张三")
    page.locator("select[name='parties.0.role']").select_option(label="申请人")
    page.get_by_label("身份证号（第1项）").fill("620702198001011234")  # wrong check digit
    page.get_by_role("button", name="添加一行").click()
    page.get_by_label("姓名（第2项）").fill("李四")
    page.locator("select[name='parties.1.role']").select_option(label="被申请人")
    page.get_by_role("button", name="受理并生成案件编码").click()
    expect(page.get_by_text("不是有效的身份证号").first).to_be_visible()
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0
    screenshot(page, "intake-id-number-refused")

    page.get_by_label("身份证号（第1项）").fill("620702198001011231")
    page.get_by_role("button", name="受理并生成案件编码").click()
    page.wait_for_url(f"{live_server}/cases/ZY-*")
    expect(page.locator("#parties").get_by_text("李四")).to_be_visible()
    expect(page.get_by_text("未填写").first).to_be_visible()  # no amount given
    screenshot(page, "intake-two-parties")
    db.session.expire_all()
    case = db.session.scalar(select(Case))
    assert [p.name for p in case.parties] == ["张三", "李四"] and case.amount is None
