"""Engine adapter: start → complete → end, timers on the test clock, messages, versions."""

from datetime import datetime

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.errors import Conflict, Forbidden, ValidationFailed
from app.extensions import db
from app.unit_of_work import run_unit
from app.workflow import services
from app.workflow.models import HumanTask, InstanceStatus, ProcessInstance, TaskState
from tests.conftest import SHANGHAI


def open_tasks(instance_id):
    return db.session.scalars(select(HumanTask).where(
        HumanTask.instance_id == instance_id, HumanTask.state == TaskState.READY)).all()


def start_two_step(org, clock, key="ZY-TEST-0001"):
    grid = org.unit("zy-1-1-1-1")
    return run_unit(lambda: services.start_instance(
        "two_step", business_key=key, org_unit_id=grid.id, data={}, clock=clock,
        actor=org.actor("clerk")))


def test_start_complete_end(deployed, org, clock):
    instance = start_two_step(org, clock)
    [task] = open_tasks(instance.id)
    assert (task.bpmn_id, task.title, task.lane) == ("mediate", "网格员首调", "网格员")
    assert task.candidate_org_unit_id == org.unit("zy-1-1-1-1").id
    assert task.form_key == "mediate.json"
    # Boundary timer: 1 working day after Monday 2 March → end of Tuesday 3 March.
    assert task.due_at == datetime(2026, 3, 3, 23, 59, 59, tzinfo=SHANGHAI)

    grid = org.actor("grid")
    run_unit(lambda: services.claim_task(task.id, actor=grid, clock=clock))
    run_unit(lambda: services.complete_task(
        task.id, {"result": "resolved", "summary": "双方达成一致意见"}, actor=grid, clock=clock))

    [review] = open_tasks(instance.id)
    assert review.bpmn_id == "review"
    assert review.candidate_org_unit_id == org.unit("zy-1-1").id
    assert review.due_at == datetime(2026, 3, 4, 23, 59, 59, tzinfo=SHANGHAI)
    mediator = org.actor("mediator")
    run_unit(lambda: services.claim_task(review.id, actor=mediator, clock=clock))
    run_unit(lambda: services.complete_task(review.id, {}, actor=mediator, clock=clock))

    db.session.expire_all()
    instance = db.session.get(ProcessInstance, instance.id)
    assert instance.status == InstanceStatus.COMPLETED
    assert instance.next_timer_at is None
    assert open_tasks(instance.id) == []
    actions = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.instance_id == instance.id).order_by(AuditEvent.id)).all()
    assert actions == ["task.created", "instance.started", "task.claimed", "task.created",
                       "task.completed", "task.claimed", "task.completed"]


def test_state_is_stored_without_the_spec(deployed, org, clock):
    instance = start_two_step(org, clock)
    assert '"spec"' not in instance.state
    assert len(instance.state) < 8000


def test_invalid_form_data_is_refused_and_nothing_changes(deployed, org, clock):
    instance = start_two_step(org, clock)
    [task] = open_tasks(instance.id)
    grid = org.actor("grid")
    run_unit(lambda: services.claim_task(task.id, actor=grid, clock=clock))
    state_before = instance.state
    with pytest.raises(ValidationFailed) as raised:
        run_unit(lambda: services.complete_task(
            task.id, {"result": "maybe", "summary": "短", "route": "skip"}, actor=grid,
            clock=clock))
    assert raised.value.errors == {"result": ["「调解结果」请从给定选项中选择"],
                                   "summary": ["「调解情况」至少需要 5 个字"],
                                   "route": ["表单中没有这个字段"]}
    db.session.expire_all()
    assert db.session.get(ProcessInstance, instance.id).state == state_before
    assert db.session.get(HumanTask, task.id).state == TaskState.READY


def test_only_candidates_claim_and_only_the_claimer_completes(deployed, org, clock):
    instance = start_two_step(org, clock)
    [task] = open_tasks(instance.id)
    with pytest.raises(Forbidden):
        run_unit(lambda: services.claim_task(task.id, actor=org.actor("hrss"), clock=clock))
    with pytest.raises(Conflict):
        run_unit(lambda: services.complete_task(
            task.id, {"result": "resolved", "summary": "双方达成一致意见"},
            actor=org.actor("grid"), clock=clock))


def test_timer_fires_only_after_the_clock_passes_its_due_time(deployed, org, clock):
    instance = start_two_step(org, clock)
    due = datetime(2026, 3, 3, 23, 59, 59, tzinfo=SHANGHAI)
    assert instance.next_timer_at == due

    clock.set(datetime(2026, 3, 3, 23, 59, 0, tzinfo=SHANGHAI))
    assert services.due_timer_instances(clock, 10) == []
    assert run_unit(lambda: services.fire_timers(instance.id, clock=clock)) is False
    assert [t.bpmn_id for t in open_tasks(instance.id)] == ["mediate"]

    clock.set(datetime(2026, 3, 4, 0, 0, 1, tzinfo=SHANGHAI))
    assert services.due_timer_instances(clock, 10) == [instance.id]
    assert run_unit(lambda: services.fire_timers(instance.id, clock=clock)) is True
    db.session.expire_all()
    assert [t.bpmn_id for t in open_tasks(instance.id)] == ["escalated"]
    cancelled = db.session.scalars(select(HumanTask).where(
        HumanTask.instance_id == instance.id, HumanTask.state == TaskState.CANCELLED)).all()
    assert [t.bpmn_id for t in cancelled] == ["mediate"]
    assert db.session.get(ProcessInstance, instance.id).next_timer_at is None


def test_message_reaches_the_instance_with_its_correlation_key(deployed, org, clock):
    county = org.unit("zy-1")
    first, second = (run_unit(lambda k=key: services.start_instance(
        "await_court", business_key=k, org_unit_id=county.id, data={}, clock=clock))
        for key in ("ZY-A", "ZY-B"))
    delivered = run_unit(lambda: services.deliver_message(
        "court_result", "ZY-B", {"outcome": "调解成功"}, clock=clock))
    assert delivered == [second.id]
    assert open_tasks(first.id) == []
    [task] = open_tasks(second.id)
    assert task.bpmn_id == "record_result"
    coordinator = org.actor("coordinator")
    run_unit(lambda: services.claim_task(task.id, actor=coordinator, clock=clock))
    from app.workflow import engine, registry  # noqa: PLC0415

    loaded = registry.load(second.deployment_id, "await_court")
    wf = engine.deserialize(loaded.specs, db.session.get(ProcessInstance, second.id).state,
                            registry.script_engine())
    assert engine.task_data(wf, task.id)["court_result"] == {"outcome": "调解成功"}


def test_new_deployment_leaves_running_instances_on_their_version(deployed, org, clock):
    from app.workflow.deploy import deploy_files  # noqa: PLC0415
    from tests.conftest import read_fixture_files  # noqa: PLC0415

    old = start_two_step(org, clock, "ZY-OLD")
    files = read_fixture_files()
    files.bpmn["foundation.bpmn"] = files.bpmn["foundation.bpmn"].replace(
        'name="中心复核"', 'name="中心复核（新版）"')
    results = run_unit(lambda: deploy_files(files, now=clock.now()))
    new_version = {d.process_id: (d.version, created) for d, created in results}
    assert new_version["two_step"] == (2, True)
    new = start_two_step(org, clock, "ZY-NEW")
    assert old.deployment_id == deployed["two_step"].id
    assert new.deployment_id != old.deployment_id

    grid = org.actor("grid")
    for instance in (old, new):
        [task] = open_tasks(instance.id)
        run_unit(lambda t=task: services.claim_task(t.id, actor=grid, clock=clock))
        run_unit(lambda t=task: services.complete_task(
            t.id, {"result": "resolved", "summary": "双方达成一致意见"}, actor=grid,
            clock=clock))
    assert [t.title for t in open_tasks(old.id)] == ["中心复核"]
    assert [t.title for t in open_tasks(new.id)] == ["中心复核（新版）"]


def test_unchanged_files_do_not_create_a_version(deployed, clock):
    from app.workflow.deploy import deploy_files  # noqa: PLC0415
    from tests.conftest import read_fixture_files  # noqa: PLC0415

    results = run_unit(lambda: deploy_files(read_fixture_files(), now=clock.now()))
    assert all(not created and d.version == 1 for d, created in results)
