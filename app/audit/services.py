"""Write audit events inside the caller's transaction.

An event is a row in an append-only table that nothing in the transaction reads back or points
at, so it needs none of the ORM's unit of work: `record` keeps the row in the session, and the
rows kept go to the database in one Core INSERT (one statement however many) just before the
session's next flush or commit, or before a query that reads the audit trail. Kept rows go with
a rollback, as the transaction's other writes do. Inside a savepoint an event is written at
once, so it is undone exactly when the savepoint is; the rows kept outside it wait until the
savepoint is over (written inside it, a rolled-back savepoint would take them along).

`init_app` registers the session hooks that write the rows; nothing is registered on import.
"""

from datetime import datetime
from typing import Any, cast

from flask import Flask
from sqlalchemy import ClauseElement, Table, event, insert
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
    if session.in_nested_transaction():
        session.execute(_insert(), [row])
        return
    if session.get_transaction() is None:
        session.begin()  # the row is the transaction's: its end (commit or rollback) settles it
    session.info.setdefault(_PENDING, []).append(row)


def write_pending(session: Session) -> None:
    """Write the events kept in `session` (one INSERT); nothing while inside a savepoint."""
    rows = session.info.get(_PENDING)
    if rows and not session.in_nested_transaction():
        session.info[_PENDING] = []
        session.execute(_insert(), rows)


def _insert():
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
