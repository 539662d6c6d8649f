"""Write audit events inside the caller's transaction.

An event is a row in an append-only table that nothing in the transaction reads back or points
at, so it needs none of the ORM's unit of work: `record` keeps the row in the session, and the
rows kept go to the database in one Core INSERT (one statement however many) just before the
session's next flush or commit, or before a query that reads the audit trail. Kept rows go with
a rollback, as the transaction's other writes do. Events recorded inside a savepoint are kept
for it and written before its release, so a rolled-back savepoint takes exactly its own events
along; the rows kept outside it wait until it is over (written inside it, a rolled-back
savepoint would take them too), so a query inside a savepoint sees only its own level's.

`init_app` registers the session hooks that write the rows; nothing is registered on import.
"""

import functools
from datetime import datetime
from typing import Any, cast

from flask import Flask
from sqlalchemy import ClauseElement, Insert, Table, event, insert
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.sql.util import find_tables

from app.audit.models import AuditEvent
from app.extensions import db

SYSTEM_ACTOR = "系统"
_PENDING = "audit.pending"


def record(at: datetime, action: str, *, actor_id: int | None = None,
           actor_label: str = SYSTEM_ACTOR, instance_id: str | None = None,
           task_id: str | None = None, summary: dict[str, Any] | None = None) -> None:
    """Append one audit event to the current unit of work."""
    row = {"at": at, "action": action, "actor_id": actor_id, "actor_label": actor_label,
           "instance_id": instance_id, "task_id": task_id, "summary": summary or {}}
    session = db.session()
    if session.get_transaction() is None:
        session.begin()  # the row is the transaction's: its end (commit or rollback) settles it
    pending: dict[SessionTransaction | None, list[dict[str, Any]]] = session.info.setdefault(_PENDING, {})
    pending.setdefault(session.get_nested_transaction(), []).append(row)


def write_pending(session: Session) -> None:
    """Write the events kept for the current level of `session` (the transaction, or the
    innermost savepoint) in one INSERT; those of the levels outside it wait."""
    pending = session.info.get(_PENDING)
    rows = pending.pop(session.get_nested_transaction(), None) if pending else None
    if rows:
        session.execute(_insert(), rows)


@functools.cache
def _insert() -> Insert:
    """Built once (its cache key with it): Core over audit_event, no RETURNING."""
    return insert(cast(Table, AuditEvent.__table__))


def init_app(app: Flask) -> None:  # noqa: ARG001 - registered per app, effective for all sessions
    """Write kept events before every flush, commit and audit-trail query; drop them when the
    transaction ends (after a commit they are written, after a rollback they never happened)."""
    for name, listener in (("before_flush", _before_flush), ("before_commit", write_pending),
                           ("do_orm_execute", _before_reading),
                           ("after_transaction_end", _transaction_ended)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def _before_flush(session: Session, _context, _instances) -> None:
    write_pending(session)


def _before_reading(state: ORMExecuteState) -> None:
    if state.session.info.get(_PENDING) and state.is_select and \
            AuditEvent.__table__ in find_tables(cast(ClauseElement, state.statement), include_aliases=True):
        write_pending(state.session)


def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
    elif transaction.nested and session.info.get(_PENDING):
        # a released savepoint's events were written before its release; any left were
        # recorded in a savepoint rolled back
        session.info[_PENDING].pop(transaction, None)
