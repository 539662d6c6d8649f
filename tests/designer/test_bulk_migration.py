"""Background bulk migration: 200 running instances, confirmed with their count and versions,
carried out by the worker's job one instance per transaction, paused and resumed, the refused
ones listed with their reasons in Chinese."""

import pytest
from sqlalchemy import func, select

from app.designer import migration_jobs
from app.designer.models import InstanceMigration, ItemState, JobState, MigrationJob, MigrationJobItem
from app.designer.starters import ladder
from app.extensions import db
from app.unit_of_work import run_unit
from app.workflow import services, worker
from app.workflow.models import ProcessInstance
from tests.designer.conftest import real_files, redeploy
from tests.helpers import sign_in
from tests.processes.conftest import GRID

COUNT, AT_LEVEL_TWO = 200, 5
FAILED = {"result": "failed", "summary": "本级未能化解"}


@pytest.fixture(autouse=True)
def no_csrf(app):
    app.config["WTF_CSRF_ENABLED"] = False


def _deploy(clock, text: str):
    files = real_files()
    files.bpmn["bulk_ladder.bpmn"] = text
    return redeploy(files, clock)["bulk_ladder"]


def test_two_hundred_instances_migrate_in_the_background_with_pause_and_resume(client, desk, org, clock):
    first = _deploy(clock, ladder("bulk_ladder", "批量迁移测试", 2))
    unit = org.unit(GRID).id
    ids = [run_unit(lambda n=n: services.start_instance(
        "bulk_ladder", business_key=f"ZY-2026-1{n:05d}", org_unit_id=unit, data={}, clock=clock)).id
        for n in range(COUNT)]
    for instance_id in ids[:AT_LEVEL_TWO]:  # these wait at level two, which version 2 drops
        [task] = [t for t in desk.tasks(type("C", (), {"code": db.session.get(
            ProcessInstance, instance_id).business_key})) if t.bpmn_id == "level_1"]
        desk.do(task, "grid", FAILED)
    second_text = ladder("bulk_ladder", "批量迁移测试", 1).replace(
        'rule_due("four_levels.grid")', 'rule_due("four_levels.village")')
    second = _deploy(clock, second_text)
    assert (first.version, second.version) == (1, 2)

    sign_in(client, "designer")
    confirm = client.post("/designer/processes/bulk_ladder/migrate",
                          data={"target": 2, "instance_id": ids}).get_data(as_text=True)
    assert ("将把以下 <strong>200</strong> 件运行中的实例从\n    版本 1 迁移到 <strong>版本 2</strong>"
            in confirm)
    assert "在后台逐件迁移" in confirm
    assert db.session.scalar(select(func.count()).select_from(MigrationJob)) == 0
    started = client.post("/designer/processes/bulk_ladder/migrate",
                          data={"target": 2, "instance_id": ids, "confirmed": "1"})
    assert started.status_code == 302
    job = db.session.scalar(select(MigrationJob))
    assert started.headers["Location"].endswith(f"/designer/migration-jobs/{job.id}")
    assert (job.total, job.state) == (COUNT, JobState.RUNNING)
    assert db.session.scalar(select(func.count()).select_from(InstanceMigration)) == 0  # not in the request

    assert migration_jobs.run_step(job.id, clock=clock, limit=50) == 50
    page = client.get(f"/designer/migration-jobs/{job.id}").get_data(as_text=True)
    assert "进行中" in page and "待迁移 <strong>150</strong> 件" in page
    assert client.post(f"/designer/migration-jobs/{job.id}/pause").status_code == 302
    assert migration_jobs.run_running_jobs(clock) == 0  # paused: the worker leaves it alone
    status = client.get(f"/designer/migration-jobs/{job.id}?format=json").get_json()
    assert status == {"state": "paused", "total": 200, "moved": 45, "refused": 5, "pending": 150,
                      "percent": 25}
    page = client.get(f"/designer/migration-jobs/{job.id}").get_data(as_text=True)
    assert "已暂停" in page and "继续迁移" in page
    assert client.post(f"/designer/migration-jobs/{job.id}/pause").status_code == 409

    assert client.post(f"/designer/migration-jobs/{job.id}/resume").status_code == 302
    assert worker.run_jobs(clock, force=True) >= 1  # the registered worker job finishes it
    db.session.expire_all()
    job = db.session.get(MigrationJob, job.id)
    assert job.state == JobState.DONE and job.finished_at is not None
    moved = db.session.scalars(select(InstanceMigration.instance_id)).all()
    assert sorted(moved) == sorted(ids[AT_LEVEL_TWO:])  # one migration record per moved instance
    assert {db.session.get(ProcessInstance, i).deployment_id for i in ids[AT_LEVEL_TWO:]} == {second.id}
    assert {db.session.get(ProcessInstance, i).deployment_id for i in ids[:AT_LEVEL_TWO]} == {first.id}
    refused = db.session.scalars(select(MigrationJobItem).where(
        MigrationJobItem.state == ItemState.REFUSED)).all()
    assert sorted(r.instance_id for r in refused) == sorted(ids[:AT_LEVEL_TWO])
    page = client.get(f"/designer/migration-jobs/{job.id}").get_data(as_text=True)
    assert "已完成" in page and "已迁移 <strong>195</strong> 件，不能迁移 <strong>5</strong> 件" in page
    reason = refused[0].reasons[0]
    assert reason in page and "ZY-2026-100000" in page
    assert not any(word in reason for word in ("Spiff", "task_spec", "level_2", "Error"))
    [task] = [t for t in desk.tasks(type("C", (), {"code": "ZY-2026-100199"}))]
    assert task.bpmn_id == "level_1"
