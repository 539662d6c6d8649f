"""One transaction per unit of work: the single place that commits.

Services only flush. Requests, CLI commands and the worker wrap a service call in
`run_unit`, which commits once, rolls back on any error, and retries once when the
optimistic version check on a process instance finds that someone else won the race.
"""

from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, Delete, Update
from sqlalchemy.orm.exc import StaleDataError

from app.errors import Conflict, ProcessFault
from app.extensions import db

T = TypeVar("T")


def run_unit(work: Callable[[], T], retries: int = 1) -> T:
    """Run `work` and commit; retry a stale-version conflict `retries` times, then raise Conflict."""
    attempt = 0
    while True:
        try:
            result = work()
            db.session.commit()
            return result
        except ProcessFault as exc:
            db.session.rollback()
            _record_fault(exc)
            raise
        except StaleDataError as exc:
            db.session.rollback()
            if attempt >= retries:
                raise Conflict("该案件已被他人同时修改，请刷新后重试") from exc
            attempt += 1
        except BaseException:
            db.session.rollback()
            raise


def rows_changed(statement: Update | Delete, params: Mapping[str, Any] | None = None) -> int:
    """Run a bulk UPDATE or DELETE in the current transaction; the number of rows it matched
    (a conditional update that finds 0 rows lost a race or found nothing to do)."""
    result = cast(CursorResult[Any], db.session.execute(statement, params))
    return result.rowcount or 0


def _record_fault(fault: ProcessFault) -> None:
    """Audit a diagram fault in a transaction of its own: the step's own was rolled back."""
    from app.audit.services import record  # noqa: PLC0415 - audit builds on the unit of work

    record(fault.at, "instance.fault", instance_id=fault.instance_id,
           summary={**fault.summary, "message": fault.message})
    db.session.commit()
