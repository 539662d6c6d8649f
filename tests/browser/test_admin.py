"""系统管理 in a real browser against a real HTTP server: people, rotation, calendar, import."""

import io
from datetime import timedelta

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.extensions import db
from app.org.demo import DEMO_PASSWORD
from app.org.models import LaneRule, Membership, Role, User
from app.org.services import load_actor
from app.unit_of_work import run_unit
from app.workflow import services
from app.workflow.models import HumanTask, TaskState
from app.workflow.sync import Unassignable
from tests.helpers import sign_in_page

GRID = "zy-1-1-1-1"


def _lane_to(code: str) -> None:
    """Point the fixture process's 网格员 lane at a department code."""
    def change():
        rule = db.session.scalar(select(LaneRule).where(LaneRule.lane == "网格员"))
        rule.org_level, rule.role, rule.department_code = None, None, code
    run_unit(change)


def _start(org, clock, key):
    return run_unit(lambda: services.start_instance(
        "two_step", business_key=key, org_unit_id=org.unit(GRID).id, data={}, clock=clock))


def test_admin_creates_a_user_who_signs_in_and_sees_the_department_tasks(
        live_server, browser, page, screenshot, deployed, org, clock):
    _lane_to("hrss")
    _start(org, clock, "ZY-2026-000201")
    sign_in_page(page, live_server, "admin")
    assert page.url == f"{live_server}/admin/"
    page.get_by_role("navigation", name="系统管理").get_by_role("link", name="用户与岗位").click()
    form = page.get_by_role("form", name="新建用户")
    form.get_by_label("用户名").fill("liu.rs")
    form.get_by_label("姓名").fill("刘人社")
    form.get_by_label("单位或部门").select_option(label="甘州区人社局")
    form.get_by_label("角色").select_option(label="承办人")
    form.get_by_role("button", name="新建用户").click()
    password = page.locator("#one-time-password").inner_text()
    row = page.locator("#users tr", has_text="liu.rs").filter(has_text="甘州区人社局 · 承办人")
    expect(row).to_have_count(1)
    screenshot(page, "admin-users")
    page.get_by_role("link", name="liu.rs").click()
    assert page.locator("#memberships").inner_text().startswith("甘州区人社局 · 承办人")
    screenshot(page, "admin-user-detail")

    newcomer = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    sign_in_page(newcomer, live_server, "liu.rs", password)
    assert newcomer.url.endswith("/account/password")
    newcomer.get_by_label("当前密码").fill(password)
    newcomer.get_by_label("新密码", exact=True).fill("Renshe-Ju-2026")
    newcomer.get_by_label("再次输入新密码").fill("Renshe-Ju-2026")
    screenshot(newcomer, "account-password-forced")
    newcomer.get_by_role("button", name="保存新密码").click()
    newcomer.wait_for_url(f"{live_server}/")
    expect(newcomer.locator("#inbox tr", has_text="ZY-2026-000201")).to_have_count(1)
    screenshot(newcomer, "admin-created-user-inbox")
    newcomer.context.close()


def test_a_rotated_out_department_takes_no_new_task_while_its_member_finishes_the_one_held(
        live_server, browser, page, screenshot, deployed, org, clock):
    """The task a member holds stays with them (an unheld one goes to the center's coordinators:
    tests/admin/test_changes.py)."""
    ecology = org.department("ecology")
    run_unit(lambda: _member("eco", "吴生态", ecology.id, clock))
    _lane_to("ecology")
    sign_in_page(page, live_server, "admin")
    page.goto(f"{live_server}/admin/departments")
    row = page.locator("#departments tr", has=page.get_by_text("甘州区", exact=True)).filter(
        has_text="生态环境局")
    row.get_by_label("生态环境局轮驻开始").fill(str(clock.now().date() - timedelta(days=20)))
    row.get_by_role("button", name="进驻").click()
    first = _start(org, clock, "ZY-2026-000301")
    held = db.session.scalar(select(HumanTask.id).where(HumanTask.instance_id == first.id))
    eco = db.session.scalar(select(User.id).where(User.username == "eco"))
    run_unit(lambda: services.claim_task(held, actor=load_actor(eco), clock=clock))
    page.locator("#departments tr", has=page.get_by_text("甘州区", exact=True)).filter(
        has_text="生态环境局").get_by_role("button", name="轮出生态环境局").click()
    confirm = page.get_by_role("region", name="确认轮出「甘州区生态环境局」")
    assert "不再接收新任务" in confirm.inner_text() and "待办任务 1 项" in confirm.inner_text()
    screenshot(page, "admin-rotate-out-confirm")
    confirm.get_by_role("button", name="确认轮出生态环境局").click()
    expect(page.get_by_role("status").filter(has_text="已轮出")).to_be_visible()
    assert page.url.startswith(f"{live_server}/admin/departments")
    screenshot(page, "admin-departments")
    with pytest.raises(Unassignable, match="当前不在轮驻期内"):
        _start(org, clock, "ZY-2026-000302")
    db.session.expire_all()
    task = db.session.scalar(select(HumanTask).where(HumanTask.instance_id == first.id))
    assert task.state == TaskState.READY and task.candidate_department_id == ecology.id
    member = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    sign_in_page(member, live_server, "eco")
    member.get_by_role("link", name="我已认领").click()
    expect(member.locator("#inbox tr", has_text="ZY-2026-000301")).to_have_count(1)
    member.context.close()


def _member(username, name, department_id, clock):
    user = User(username=username, display_name=name, created_at=clock.now())
    user.set_password(DEMO_PASSWORD)
    db.session.add(user)
    db.session.flush()
    db.session.add(Membership(user_id=user.id, department_id=department_id, role=Role.HANDLER))


def test_a_calendar_day_changed_in_the_page_moves_a_new_task_due_date(
        live_server, page, screenshot, deployed, org, clock):
    before = _start(org, clock, "ZY-2026-000401")
    due_before = db.session.scalar(select(HumanTask.due_at).where(HumanTask.instance_id == before.id))
    sign_in_page(page, live_server, "admin")
    page.goto(f"{live_server}/admin/calendar?year=2026")
    form = page.get_by_role("form", name="修改某一天")
    form.get_by_label("日期").fill("2026-03-03")
    form.get_by_label("设为").select_option(label="休息")
    form.get_by_label("名称").fill("临时调休")
    form.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status").filter(has_text="已将 2026-03-03 设为休息")).to_be_visible()
    assert "rest" in page.locator('td[data-day="2026-03-03"]').get_attribute("class")
    screenshot(page, "admin-calendar")
    after = _start(org, clock, "ZY-2026-000402")
    due_after = db.session.scalar(select(HumanTask.due_at).where(HumanTask.instance_id == after.id))
    assert due_after - due_before == timedelta(days=1)


def _sheet(rows) -> bytes:
    book = Workbook()
    book.active.append(["用户名", "姓名", "单位编码", "部门编码", "角色"])
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_excel_import_with_one_bad_row_imports_nothing_and_names_the_row(
        live_server, page, screenshot, org, tmp_path):
    users = db.session.scalar(select(func.count()).select_from(User))
    path = tmp_path / "用户.xlsx"
    path.write_bytes(_sheet([("zhou1", "周一", "zy-1-1", "", "综合受理"),
                             ("zhou2", "周二", "zy-9-9", "", "调解员"),
                             ("zhou3", "周三", "zy-1", "hrss", "承办人")]))
    sign_in_page(page, live_server, "admin")
    page.goto(f"{live_server}/admin/users/import")
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(str(path))
    page.get_by_role("button", name="导入").click()
    refused = page.get_by_role("alert").filter(has_text="共 3 行，其中 1 行有误，未导入任何数据")
    expect(refused).to_be_visible()
    bad = page.locator("#import-result tr", has_text="第3行")
    assert "单位编码「zy-9-9」不存在" in bad.inner_text()
    screenshot(page, "admin-import-refused")
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(User)) == users


@pytest.mark.parametrize("path", ["/admin/", "/admin/org", "/admin/users", "/admin/departments",
                                  "/admin/lanes?lane=网格员&org_unit_id=5", "/admin/calendar?year=2027",
                                  "/admin/policies", "/admin/keys", "/admin/audit", "/admin/users/import",
                                  "/no-such-page"])
def test_screenshot_each_admin_page(live_server, page, screenshot, org, path):
    sign_in_page(page, live_server, "admin")
    response = page.goto(f"{live_server}{path}")
    assert response.status == (404 if path == "/no-such-page" else 200)
    assert "Not Found" not in page.content()
    name = path.strip("/").split("?")[0].replace("/", "-") or "admin"
    screenshot(page, f"admin-page-{name}")


def test_a_rename_in_the_tree_shows_in_the_audit_log_with_before_and_after(
        live_server, page, screenshot, org):
    sign_in_page(page, live_server, "admin")
    page.goto(f"{live_server}/admin/org?unit={org.unit('zy-1').id}")
    page.get_by_label("梁家墩镇的新名称").fill("梁家墩镇（试点）")
    page.locator("#org-tree tr", has_text="zy-1-1").get_by_role("button", name="改名").first.click()
    expect(page.get_by_role("status").filter(has_text="已改名为「梁家墩镇（试点）」")).to_be_visible()
    screenshot(page, "admin-org-renamed")
    page.goto(f"{live_server}/admin/audit")
    page.get_by_label("操作", exact=True).select_option(label="单位改名")
    page.get_by_role("button", name="筛选").click()
    row = page.locator("#audit tbody tr").first
    assert "冯管理" in row.inner_text() and "名称 梁家墩镇 → 梁家墩镇（试点）" in row.inner_text()
    screenshot(page, "admin-audit-filtered")


def test_retiring_a_grid_asks_first_and_then_the_window_no_longer_offers_it(
        live_server, browser, page, screenshot, processes, org):  # noqa: F811
    grid = org.unit("zy-1-1-1-2")
    sign_in_page(page, live_server, "admin")
    page.goto(f"{live_server}/admin/org?unit={org.unit('zy-1-1-1').id}")
    row = page.locator("#org-tree tr", has_text=grid.code)
    row.get_by_role("button", name="撤销").click()
    confirm = page.get_by_role("region", name=f"确认撤销「{grid.name}」")
    assert "不再受理新案件" in confirm.inner_text() and "照常办理" in confirm.inner_text()
    screenshot(page, "admin-retire-confirm")
    confirm.get_by_role("link", name="取消").click()
    assert "（已撤销）" not in page.locator("#org-tree tr", has_text=grid.code).inner_text()
    page.locator("#org-tree tr", has_text=grid.code).get_by_role("button", name="撤销").click()
    page.get_by_role("button", name=f"确认撤销{grid.name}").click()
    expect(page.get_by_role("status").filter(has_text=f"已撤销「{grid.name}」")).to_be_visible()
    assert "（已撤销）" in page.locator("#org-tree tr", has_text=grid.code).inner_text()
    screenshot(page, "admin-retired")
    clerk = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    sign_in_page(clerk, live_server, "clerk")
    clerk.goto(f"{live_server}/cases/new")
    offered = clerk.locator("select[name=org_unit_id] option").all_inner_texts()
    assert grid.name not in offered and "梁家墩镇第1村第1网格" in offered
    clerk.context.close()


def test_a_department_also_serving_another_countys_township_gets_its_new_task_in_the_inbox(
        live_server, browser, page, screenshot, deployed, org, clock):
    hrss_a, hrss_b = org.department("hrss", "zy-1"), org.department("hrss", "zy-2")
    township = org.unit("zy-2-1")
    _lane_to("hrss")

    def start(key):
        return run_unit(lambda: services.start_instance(
            "two_step", business_key=key, org_unit_id=org.unit("zy-2-1-1-1").id, data={}, clock=clock))
    sign_in_page(page, live_server, "admin")
    page.goto(f"{live_server}/admin/departments?unit={hrss_a.org_unit_id}")
    row = page.locator("#departments tr", has_text="人社局")
    row.get_by_label("人社局另服务的单位").select_option(label=township.name)
    row.get_by_role("button", name="增加").click()
    expect(page.get_by_role("status").filter(has_text="已增加服务单位")).to_be_visible()
    cell = page.locator("#departments tr", has_text="人社局").locator("td.served")
    assert township.name in cell.inner_text()
    screenshot(page, "admin-department-served")
    served = start("ZY-2026-000501")
    member = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    sign_in_page(member, live_server, "hrss")
    expect(member.locator("#inbox tr", has_text="ZY-2026-000501")).to_have_count(1)
    page.locator("#departments tr", has_text="人社局").get_by_role(
        "button", name=f"不再服务{township.name}").click()
    expect(page.get_by_role("status").filter(has_text="已移除该服务单位")).to_be_visible()
    after = start("ZY-2026-000502")
    member.reload()
    expect(member.locator("#inbox tr", has_text="ZY-2026-000501")).to_have_count(1)  # open task stays
    expect(member.locator("#inbox tr", has_text="ZY-2026-000502")).to_have_count(0)
    member.context.close()
    db.session.expire_all()
    tasks = {t.instance_id: t.candidate_department_id for t in db.session.scalars(select(HumanTask))}
    assert (tasks[served.id], tasks[after.id]) == (hrss_a.id, hrss_b.id)
