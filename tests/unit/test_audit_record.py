"""Audit events are kept in the session and written in one INSERT before the next flush, commit
or audit-trail query; they share the fate of the transaction (and of a savepoint) they were
recorded in."""

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.audit.services import record
from app.extensions import db
from app.unit_of_work import run_unit
from tests.api.test_instances import statements


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_events_of_a_unit_go_in_one_statement_at_commit(app, clock):
    with statements() as sent:
        run_unit(lambda: [record(clock.now(), f"test.step{n}", summary={"n": n}) for n in range(5)])
    assert [s for s in sent if "audit_event" in s] == [sent[0]] and len(sent) == 1, sent
    assert _actions() == [f"test.step{n}" for n in range(5)]


def test_a_query_of_the_trail_in_the_same_unit_sees_what_was_recorded(app, clock):
    def work():
        record(clock.now(), "test.early")
        return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "test.early")), _actions()
    counted, actions = run_unit(work)
    assert (counted, actions) == (1, ["test.early"])
    assert _actions() == ["test.early"]  # written once, not again at the commit


def test_a_rolled_back_unit_leaves_no_event(app, clock):
    def work():
        record(clock.now(), "test.undone")
        raise RuntimeError("refused")
    with pytest.raises(RuntimeError):
        run_unit(work)
    run_unit(lambda: record(clock.now(), "test.next"))
    assert _actions() == ["test.next"]


def test_a_savepoint_takes_back_its_own_events_only(app, clock):
    def work():
        record(clock.now(), "test.before")
        try:
            with db.session.begin_nested():
                record(clock.now(), "test.inside")
                db.session.flush()
                raise ValueError("the savepoint fails")
        except ValueError:
            pass
        with db.session.begin_nested():
            record(clock.now(), "test.kept")
        record(clock.now(), "test.after")
    run_unit(work)
    assert sorted(_actions()) == ["test.after", "test.before", "test.kept"]


def test_an_event_holds_its_summary_and_actor(app, org, clock):
    clerk = org.actor("clerk")
    run_unit(lambda: record(clock.now(), "test.summary", actor_id=clerk.user_id, actor_label="窗口",
                            instance_id="i-1", task_id="t-1", summary={"值": ["一", 2]}))
    event = db.session.scalars(select(AuditEvent)).one()
    assert (event.actor_id, event.actor_label, event.instance_id, event.task_id, event.summary,
            event.at) == (clerk.user_id, "窗口", "i-1", "t-1", {"值": ["一", 2]}, clock.now())


def test_a_savepoints_events_go_in_one_statement_before_its_release(app, clock):
    def work():
        with db.session.begin_nested():
            for n in range(3):
                record(clock.now(), f"test.inner{n}")
            with db.session.begin_nested():
                record(clock.now(), "test.innermost")
        try:
            with db.session.begin_nested():
                record(clock.now(), "test.lost")
                with db.session.begin_nested():
                    record(clock.now(), "test.lost.too")
                raise ValueError("the outer savepoint fails after the inner one was released")
        except ValueError:
            pass
    with statements() as sent:
        run_unit(work)
    inserts = [s for s in sent if s.startswith("INSERT INTO audit_event")]
    assert len(inserts) == 3, sent  # inner (3 rows), innermost, and the lost ones' inner one
    assert sorted(_actions()) == ["test.inner0", "test.inner1", "test.inner2", "test.innermost"]
