"""Migration with care: after a dry run nothing is ticked, the designer ticks one of three
instances, confirms a page naming the count and versions, and only that one moves."""

from app.extensions import db
from app.workflow.models import ProcessInstance
from tests.designer.conftest import real_files, redeploy
from tests.helpers import sign_in_page
from tests.processes.conftest import Desk  # noqa: F401 - fixture

LADDER = "four_levels_seven_days.bpmn"


def test_migrate_exactly_one_chosen_instance_after_the_confirmation(live_server, page, screenshot,
                                                                   processes, org, clock):  # noqa: F811
    desk = Desk(org, clock)
    cases = [desk.open() for _ in range(3)]
    files = real_files()
    files.bpmn[LADDER] = files.bpmn[LADDER].replace('rule_due("four_levels.county")',
                                                    'rule_due("four_levels.grid")')
    target = redeploy(files, clock)["dispute"]
    assert target.version == 2

    sign_in_page(page, live_server, "designer")
    page.goto(f"{live_server}/designer/processes/dispute/migrate")
    page.get_by_role("button", name="试迁移（不写入）").click()
    rows = page.locator("#candidates tbody tr")
    assert rows.count() == 3 and page.locator("#candidates").inner_text().count("可以迁移") == 3
    boxes = page.locator("#candidates input[type=checkbox]")
    assert [boxes.nth(i).is_checked() for i in range(3)] == [False, False, False]

    page.get_by_label(f"迁移 {cases[1].code}").check()
    page.get_by_role("button", name="迁移勾选的实例").click()
    text = page.locator("#confirm-text").inner_text()
    assert "将把以下 1 件运行中的实例从 版本 1 迁移到 版本 2" in text
    assert page.locator("#chosen tbody").inner_text().split() == [cases[1].code, "版本", "1"]
    screenshot(page, "migration-confirm")
    page.get_by_role("button", name="确认迁移 1 件").click()
    page.get_by_text("已迁移 1 件，拒绝 0 件").wait_for()

    db.session.expire_all()
    versions = {c.code: db.session.get(ProcessInstance, c.instance_id).deployment.version for c in cases}
    assert versions == {cases[0].code: 1, cases[1].code: 2, cases[2].code: 1}
