"""A designer starts a new process from the ladder template in the browser: the modeler opens
with the lanes drawn, the check passes and the deploy creates version 1."""

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.workflow.models import Deployment
from tests.helpers import sign_in_page


def test_new_process_from_the_ladder_template_deploys(live_server, page, screenshot,
                                                     processes):  # noqa: F811
    sign_in_page(page, live_server, "designer")
    page.goto(f"{live_server}/designer/")
    page.get_by_label("流程名称").fill("邻里纠纷三级调解")
    page.get_by_label("流程编码").fill("neighbour_ladder")
    page.get_by_label("从").select_option(label="逐级调解模板（四级七天式）")
    page.get_by_label("层级数").select_option(label="3 级")
    page.get_by_role("button", name="新建并打开建模器").click()
    page.wait_for_selector("#modeler-app[data-ready=true]")
    assert "邻里纠纷三级调解" in page.locator("h1").inner_text()
    expect(page.locator("#canvas g.djs-element[data-element-id^=lane_]")).to_have_count(3)
    expect(page.locator('#canvas g.djs-element[data-element-id="level_3"]')).to_have_count(1)
    screenshot(page, "modeler-new-ladder")
    page.get_by_role("button", name="检查").click()
    page.locator("#problems .ok", has_text="检查通过").wait_for()
    page.get_by_role("button", name="部署").click()
    page.locator("#problems .ok", has_text="neighbour_ladder 版本 1").wait_for()
    db.session.expire_all()
    assert db.session.scalar(select(Deployment.version).where(
        Deployment.process_id == "neighbour_ladder")) == 1
