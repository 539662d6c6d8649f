"""Two OS processes completing tasks of one instance at once (PostgreSQL).

Each child loads the instance, runs the engine step, then waits at a barrier so
both hold the same instance version before either commits.
"""

import multiprocessing

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.unit_of_work import run_unit
from app.workflow import services
from app.workflow.models import HumanTask, InstanceStatus, ProcessInstance, TaskState


def _complete_in_child(database_uri, task_id, values, barrier, results):
    """Child process: complete `task_id` as the hrss handler, pausing before the first commit."""
    from app import create_app  # noqa: PLC0415
    from app.errors import Conflict  # noqa: PLC0415
    from app.org.models import User  # noqa: PLC0415
    from app.org.services import load_actor  # noqa: PLC0415
    from app.workflow import engine  # noqa: PLC0415

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_uri})
    real_complete = engine.complete_user_task
    first = [True]

    def complete_then_wait(*args, **kwargs):
        real_complete(*args, **kwargs)
        if first[0]:
            first[0] = False
            barrier.wait(timeout=30)

    engine.complete_user_task = complete_then_wait
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "hrss"))
        actor = load_actor(user.id)
        clock = app.extensions["onedoor.clock"]
        try:
            run_unit(lambda: services.complete_task(task_id, values, actor=actor, clock=clock))
            results.put(("ok", task_id))
        except Conflict as exc:
            results.put(("conflict", exc.message))
        except Exception as exc:  # noqa: BLE001 - report anything else to the parent
            results.put(("error", repr(exc)))


def _run_pair(database_uri, jobs):
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(len(jobs)), ctx.Queue()
    children = [ctx.Process(target=_complete_in_child,
                            args=(database_uri, task_id, values, barrier, results))
                for task_id, values in jobs]
    for child in children:
        child.start()
    for child in children:
        child.join(timeout=60)
    return sorted(results.get(timeout=5) for _ in children)


@pytest.fixture
def parallel_instance(database, deployed, org, clock):
    if database[0] != "postgresql":
        pytest.skip("needs PostgreSQL: row locks and several connections")
    instance = run_unit(lambda: services.start_instance(
        "parallel_opinions", business_key="ZY-PAR", org_unit_id=org.unit("zy-1-1-1-1").id,
        data={}, clock=clock))
    hrss = org.actor("hrss")
    tasks = {t.bpmn_id: t.id for t in db.session.scalars(select(HumanTask).where(
        HumanTask.instance_id == instance.id, HumanTask.state == TaskState.READY))}
    for task_id in tasks.values():
        run_unit(lambda t=task_id: services.claim_task(t, actor=hrss, clock=clock))
    db.session.commit()
    return instance, tasks


@pytest.mark.postgres_only
def test_same_task_twice_one_wins_the_other_conflicts(database_uri, parallel_instance):
    instance, tasks = parallel_instance
    outcome = _run_pair(db.engine.url.render_as_string(hide_password=False),
                        [(tasks["opinion_a"], {"opinion_a": "同意甲"}),
                         (tasks["opinion_a"], {"opinion_a": "同意乙"})])
    assert [kind for kind, _ in outcome] == ["conflict", "ok"], outcome
    db.session.expire_all()
    completed = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "task.completed", AuditEvent.instance_id == instance.id))
    assert completed == 1
    # version 1 at start; exactly one completion was written
    assert db.session.get(ProcessInstance, instance.id).version == 2


@pytest.mark.postgres_only
def test_parallel_tasks_both_complete_and_no_update_is_lost(database_uri, parallel_instance):
    from app.workflow import engine, registry  # noqa: PLC0415

    instance, tasks = parallel_instance
    outcome = _run_pair(db.engine.url.render_as_string(hide_password=False),
                        [(tasks["opinion_a"], {"opinion_a": "同意调解"}),
                         (tasks["opinion_b"], {"opinion_b": "建议仲裁"})])
    assert [kind for kind, _ in outcome] == ["ok", "ok"], outcome
    db.session.expire_all()
    final = db.session.get(ProcessInstance, instance.id)
    assert final.status == InstanceStatus.COMPLETED
    loaded = registry.load(final.deployment_id, final.process_id)
    workflow = engine.deserialize(loaded.specs, final.state, registry.script_engine())
    data = engine.final_data(workflow)
    assert (data["opinion_a"], data["opinion_b"]) == ("同意调解", "建议仲裁")
