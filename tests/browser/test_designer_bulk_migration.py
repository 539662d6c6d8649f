"""The background migration's progress page: 25 chosen instances (more than one request's
worth) confirmed, the worker's step run between looks at the page, paused, resumed, done —
at 1366 px and 390 px."""

from playwright.sync_api import expect
from sqlalchemy import select

from app.designer import migration_jobs
from app.designer.models import MigrationJob
from app.designer.starters import ladder
from app.extensions import db
from app.unit_of_work import run_unit
from app.workflow import services
from tests.designer.conftest import real_files, redeploy
from tests.helpers import sign_in_page
from tests.processes.conftest import GRID  # noqa: F401 - fixture

COUNT = 25


def _deploy(clock, levels_rule: str):
    files = real_files()
    files.bpmn["bulk_ladder.bpmn"] = ladder("bulk_ladder", "批量迁移测试", 1).replace(
        'rule_due("four_levels.grid")', f'rule_due("{levels_rule}")')
    return redeploy(files, clock)["bulk_ladder"]


def test_progress_page_with_pause_and_resume(live_server, page, screenshot, processes, org, clock):  # noqa: F811
    _deploy(clock, "four_levels.grid")
    unit = org.unit(GRID).id
    for n in range(COUNT):
        run_unit(lambda n=n: services.start_instance(
            "bulk_ladder", business_key=f"ZY-2026-2{n:05d}", org_unit_id=unit, data={}, clock=clock))
    assert _deploy(clock, "four_levels.village").version == 2

    sign_in_page(page, live_server, "designer")
    page.goto(f"{live_server}/designer/processes/bulk_ladder/migrate")
    page.get_by_role("button", name="试迁移（不写入）").click()
    boxes = page.locator("#candidates input[type=checkbox]")
    expect(boxes).to_have_count(COUNT)
    expect(page.locator("#candidates input[type=checkbox]:checked")).to_have_count(0)
    for i in range(COUNT):
        boxes.nth(i).check()
    page.get_by_role("button", name="迁移勾选的实例").click()
    expect(page.locator("#confirm-text")).to_contain_text("将把以下 25 件运行中的实例从 版本 1 迁移到 版本 2")
    expect(page.locator("#background-note")).to_be_visible()
    page.get_by_role("button", name="确认迁移 25 件").click()

    expect(page.locator("h1")).to_have_text("后台迁移进度 · 任务 #1")
    expect(page.locator("#job-counts")).to_contain_text("待迁移 25 件")
    job_id = db.session.scalar(select(MigrationJob.id))
    assert migration_jobs.run_step(job_id, clock=clock, limit=10) == 10  # what the worker does
    page.reload()
    expect(page.locator("#job-counts")).to_contain_text("已迁移 10 件，不能迁移 0 件，待迁移 15 件")
    expect(page.locator("#job-percent")).to_have_text("40%")
    page.get_by_role("button", name="暂停").click()
    expect(page.locator("#job-state")).to_have_text("已暂停")
    expect(page.get_by_text("已暂停：已迁移的实例保持新版本，其余等待继续")).to_be_visible()
    assert migration_jobs.run_running_jobs(clock) == 0
    screenshot(page, "migration-job-paused")
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.get_by_role("button", name="继续迁移")).to_be_visible()
    screenshot(page, "migration-job-paused-phone")
    page.set_viewport_size({"width": 1366, "height": 900})

    page.get_by_role("button", name="继续迁移").click()
    expect(page.locator("#job-state")).to_have_text("进行中")
    migration_jobs.run_running_jobs(clock)
    # The running page reloads itself every 3 seconds: it shows the end without a click.
    expect(page.locator("#job-state")).to_have_text("已完成", timeout=10000)
    expect(page.locator("#job-counts")).to_contain_text("已迁移 25 件，不能迁移 0 件，待迁移 0 件")
    expect(page.locator("#job-refused")).to_contain_text("暂无")
    screenshot(page, "migration-job-done")
    page.get_by_role("link", name="返回实例迁移").click()
    expect(page.locator("#migration-jobs")).to_contain_text("任务 #1：已完成，共 25 件")
