"""A grid worker signs in, claims a task, submits one invalid field, then valid data."""

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.unit_of_work import run_unit
from app.workflow import services
from app.workflow.models import HumanTask, TaskState
from tests.helpers import sign_in_page


def test_claim_fix_an_error_and_complete(live_server, page, screenshot, deployed, org, clock):
    instance = run_unit(lambda: services.start_instance(
        "two_step", business_key="ZY-2026-000042", org_unit_id=org.unit("zy-1-1-1-1").id,
        data={}, clock=clock))
    sign_in_page(page, live_server, "grid")
    row = page.locator("#inbox tr", has_text="ZY-2026-000042")
    assert "剩余 1 个工作日" in row.inner_text()
    screenshot(page, "inbox-grid-worker")
    row.get_by_role("link", name="网格员首调").click()
    page.get_by_role("button", name="认领").click()
    result = page.get_by_role("group", name="调解结果")
    result.get_by_label("调解成功").check()  # the fixture form now labels its choices
    page.get_by_label("调解情况").fill("短")
    page.get_by_role("button", name="提交办结").click()
    expect(page.get_by_role("alert").filter(has_text="至少需要 5 个字")).to_be_visible()
    db.session.expire_all()
    task = db.session.scalar(select(HumanTask).where(HumanTask.instance_id == instance.id))
    assert task.state == TaskState.READY
    screenshot(page, "task-invalid-field")

    page.get_by_label("调解情况").fill("双方当面达成和解，已签字确认")
    page.get_by_role("button", name="提交办结").click()
    page.wait_for_url(f"{live_server}/")
    expect(page.get_by_role("status").filter(has_text="已办结")).to_be_visible()
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).state == TaskState.COMPLETED
