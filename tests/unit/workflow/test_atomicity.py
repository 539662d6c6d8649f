"""One operation, one transaction: a failure after the engine step leaves nothing behind."""

import pytest
from sqlalchemy import func, select, text

from app.audit.models import AuditEvent
from app.extensions import db
from app.unit_of_work import run_unit
from app.workflow import services
from app.workflow.models import HumanTask, ProcessInstance, TaskState


class Injected(RuntimeError):
    """The failure the test injects."""


def _snapshot(instance_id):
    db.session.expire_all()
    instance = db.session.get(ProcessInstance, instance_id)
    tasks = db.session.execute(select(HumanTask.id, HumanTask.state, HumanTask.assignee_id)
                               .order_by(HumanTask.id)).all()
    audits = db.session.scalar(select(func.count()).select_from(AuditEvent))
    return instance.state, instance.version, instance.next_timer_at, tasks, audits


def test_exception_after_engine_step_rolls_everything_back(deployed, org, clock, monkeypatch):
    instance = run_unit(lambda: services.start_instance(
        "two_step", business_key="ZY-ATOM", org_unit_id=org.unit("zy-1-1-1-1").id, data={},
        clock=clock))
    [task] = db.session.scalars(select(HumanTask).where(HumanTask.state == TaskState.READY)).all()
    grid = org.actor("grid")
    run_unit(lambda: services.claim_task(task.id, actor=grid, clock=clock))
    before = _snapshot(instance.id)

    real_sync = services.sync_instance
    calls = []

    def sync_then_fail(*args, **kwargs):
        real_sync(*args, **kwargs)  # engine stepped, state and rows written to the session
        calls.append(1)
        db.session.flush()
        raise Injected("after the engine step, before commit")

    monkeypatch.setattr(services, "sync_instance", sync_then_fail)
    with pytest.raises(Injected):
        run_unit(lambda: services.complete_task(
            task.id, {"result": "resolved", "summary": "双方达成一致意见"}, actor=grid, clock=clock))
    assert calls == [1]
    assert _snapshot(instance.id) == before


def test_audit_events_cannot_be_changed_or_deleted(app, org, clock):
    from app.audit.services import record  # noqa: PLC0415

    run_unit(lambda: record(clock.now(), "test.event", summary={"x": 1}))
    for statement in ("UPDATE audit_event SET action = 'forged'", "DELETE FROM audit_event"):
        with pytest.raises(Exception, match="append-only"):
            db.session.execute(text(statement))
            db.session.flush()
        db.session.rollback()
    assert db.session.scalar(select(AuditEvent.action)) == "test.event"
