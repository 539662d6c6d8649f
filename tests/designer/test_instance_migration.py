"""Migration of running instances: dry run, move, refusal with reasons, completion and rollback."""

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.designer import migrations
from app.designer.models import InstanceMigration, MigrationState
from app.errors import Conflict
from app.extensions import db
from app.unit_of_work import run_unit
from app.workflow.models import InstanceStatus, ProcessInstance
from tests.designer.conftest import real_files, redeploy
from tests.helpers import sign_in
from tests.processes.conftest import end_of, local

LADDER = "four_levels_seven_days.bpmn"
FAILED = {"result": "failed", "summary": "双方分歧较大，本级无法化解"}


def new_version(clock, old: str, new: str):
    """Deploy processes/ with one replacement in the 四级七天 diagram; the new dispute deployment."""
    files = real_files()
    assert old in files.bpmn[LADDER]
    files.bpmn[LADDER] = files.bpmn[LADDER].replace(old, new)
    return redeploy(files, clock)["dispute"]


def candidates(**criteria):
    return migrations.select_instances(migrations.InstanceFilter("dispute", **criteria))


def test_unchanged_waiting_task_moves_and_completes_on_the_new_version(desk, org, clock):
    case = desk.open()  # Monday 2 March 2026, at the grid worker's level
    [grid] = desk.tasks(case)
    old = desk.instance(case)
    target = new_version(clock, 'rule_due("four_levels.county")', 'rule_due("four_levels.grid")')

    [plan] = migrations.dry_run(candidates(from_version=1), target)
    assert (plan.business_key, plan.movable, plan.reasons, plan.steps) == (case.code, True, [], ["本级调解"])
    report = migrations.migrate_many([old.id], target.id, actor=org.actor("designer"), clock=clock)
    assert ([c.business_key for c in report.moved], report.refused) == ([case.code], [])

    moved = desk.instance(case)
    assert (moved.deployment_id, moved.next_timer_at) == (target.id, old.next_timer_at)
    [same] = desk.tasks(case)
    assert (same.id, same.due_at) == (grid.id, end_of(2026, 3, 3))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "instance.migrated"))
    assert event.summary["to_version"] == 2 and event.instance_id == moved.id

    for moment in (local(2026, 3, 4, 0, 0, 1), local(2026, 3, 6, 0, 0, 1), local(2026, 3, 10, 0, 0, 1),
                   local(2026, 3, 12, 0, 0, 1)):
        desk.at(moment)
    [county] = desk.tasks(case)
    # The new version's rule for the county step: 1 working day (it was 30 natural days).
    assert (county.bpmn_id, county.due_at) == ("county_handling", end_of(2026, 3, 13))
    desk.do(county, "coordinator", FAILED)
    [record] = desk.tasks(case)
    desk.do(record, "coordinator", {"next_route": "litigation", "failure_reason": "一方坚持起诉",
                                    "parties_informed": True})
    done = desk.instance(case)
    assert (done.status, done.deployment_id) == (InstanceStatus.COMPLETED, target.id)


def test_instance_whose_current_task_was_removed_is_refused(desk, org, clock):
    case = desk.open()
    before = desk.instance(case)
    state, deployment_id = before.state, before.deployment_id
    target = new_version(clock, "level_mediation", "level_talks")

    [plan] = migrations.dry_run(candidates(), target)
    assert not plan.movable
    assert "子流程「四级七天」的当前环节「本级调解」在新版本中被删除" in plan.reasons
    report = migrations.migrate_many([before.id], target.id, actor=org.actor("designer"), clock=clock)
    assert report.moved == []
    assert "子流程「四级七天」的当前环节「本级调解」在新版本中被删除" in report.refused[0].reasons
    after = desk.instance(case)
    assert (after.state, after.deployment_id) == (state, deployment_id)


def test_changed_current_task_is_reset_with_its_new_deadline(desk, org, clock):
    case = desk.open()
    [grid] = desk.tasks(case)
    target = new_version(
        clock, '<spiffworkflow:property name="candidateLane" value="level_lane" />',
        '<spiffworkflow:property name="candidateLane" value="level_lane" />'
        '<spiffworkflow:property name="dueAt" value=\'rule_due("four_levels.village")\' />')
    [plan] = migrations.dry_run(candidates(), target)
    assert (plan.movable, plan.reset) == (True, ["本级调解"])
    migrations.migrate_many([plan.instance_id], target.id, actor=org.actor("designer"), clock=clock)
    [task] = desk.tasks(case)
    # Counted from when the task was created (Mon 2 March 09:00): 2 working days.
    assert (task.id, task.due_at) == (grid.id, end_of(2026, 3, 4))


def test_rollback_restores_the_old_version_unless_the_instance_moved_on(desk, org, clock):
    first, second = desk.open(), desk.open()
    ids = [desk.instance(first).id, desk.instance(second).id]
    states = {i: db.session.get(ProcessInstance, i).state for i in ids}
    original = desk.instance(first).deployment_id
    target = new_version(clock, 'rule_due("four_levels.county")', 'rule_due("four_levels.grid")')
    report = migrations.migrate_many(ids, target.id, actor=org.actor("designer"), clock=clock,
                                     batch_size=1)
    assert len(report.moved) == 2
    entries = {e.instance_id: e for e in db.session.scalars(select(InstanceMigration))}

    run_unit(lambda: migrations.rollback(entries[ids[0]].id, actor=org.actor("designer"), clock=clock))
    back = desk.instance(first)
    assert (back.deployment_id, back.state) == (original, states[ids[0]])
    assert entries[ids[0]].state == MigrationState.ROLLED_BACK
    [task] = desk.tasks(first)
    assert task.bpmn_id == "level_mediation"
    with pytest.raises(Conflict):
        migrations.rollback(entries[ids[0]].id, actor=None, clock=clock)

    [grid] = desk.tasks(second)
    clock.set(local(2026, 3, 2, 10, 0))
    desk.do(grid, "grid", FAILED)  # the second instance moves on after its migration
    with pytest.raises(Conflict, match="已继续办理"):
        migrations.rollback(entries[ids[1]].id, actor=None, clock=clock)


def test_migration_pages_dry_run_migrate_and_roll_back(client, app, desk, org, clock):
    app.config["WTF_CSRF_ENABLED"] = False
    kept, refused_case = desk.open(), desk.open()
    [task] = desk.tasks(refused_case)
    clock.set(local(2026, 3, 2, 10, 0))
    desk.do(task, "grid", FAILED)  # now waits at level two
    target = new_version(clock, 'rule_due("four_levels.county")', 'rule_due("four_levels.grid")')
    sign_in(client, "designer")
    page = client.get(f"/designer/processes/dispute/migrate?target={target.version}&dry_run=1"
                      "&from_version=1").get_data(as_text=True)
    assert page.count("可以迁移") == 2 and "checked" not in page  # nothing is chosen for the designer
    ids = [desk.instance(kept).id, desk.instance(refused_case).id]
    confirm = client.post("/designer/processes/dispute/migrate",
                          data={"target": target.version, "instance_id": ids}).get_data(as_text=True)
    assert ("将把以下 <strong>2</strong> 件运行中的实例从\n    版本 1 迁移到 <strong>版本 2</strong>"
            in confirm)
    assert db.session.scalar(select(InstanceMigration)) is None  # not before the confirmation
    report = client.post("/designer/processes/dispute/migrate", data={
        "target": target.version, "instance_id": ids, "confirmed": "1"}).get_data(as_text=True)
    assert "已迁移 2 件，拒绝 0 件" in report
    entry = db.session.scalar(select(InstanceMigration).where(InstanceMigration.instance_id == ids[0]))
    response = client.post(f"/designer/migrations/{entry.id}/rollback", data={"process_id": "dispute"})
    assert response.status_code == 302
    assert "已回退" in client.get("/designer/processes/dispute").get_data(as_text=True)
    assert desk.instance(kept).deployment_id != target.id
