"""The background worker: fires due BPMN timers from the indexed `next_timer_at`.

Each `flask worker` is one OS process; run several for more throughput. A sweep
claims up to a batch of due instances in one statement
(`ORDER BY next_timer_at LIMIT n FOR UPDATE SKIP LOCKED` on PostgreSQL), so
concurrent workers take disjoint batches instead of queueing behind one another at
the head of the queue, then fires them inside that one transaction, each under a
savepoint. The row locks are the claim: a worker killed mid-batch holds nothing
once its connection drops, and its uncommitted batch is redone by the next sweep;
a committed fire moves `next_timer_at` on, so nothing is fired twice. The version
column backs this up wherever locks are absent (SQLite, where one worker is
supported).

An instance whose timers fail to fire (a broken expression, a task nobody can
receive) is not retried in a hot loop at the head of the queue: its
`next_timer_at` is pushed back by `RETRY_AFTER` and a `timers.failed` audit event
says why.

Between sweeps the worker also runs the periodic jobs other areas register with
`register_job` (outbox delivery, deadline notices, report snapshots), each in its own
unit of work; `flask worker --no-jobs` makes a timers-only worker.
"""

import logging
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from types import FrameType

from sqlalchemy import select, update
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from app.audit.services import record
from app.clock import Clock
from app.extensions import db
from app.unit_of_work import run_unit
from app.workflow import limits, services
from app.workflow.models import HumanTask, InstanceStatus, ProcessInstance, TaskState

log = logging.getLogger("onedoor.worker")

RETRY_AFTER = timedelta(minutes=5)
# Errors of the connection or the database as a whole, not of one instance: the
# batch is abandoned (rolled back whole) and the next sweep tries again.
TRANSIENT = (OperationalError, InterfaceError)
_STOP_CHECK_SECONDS = 0.2


@dataclass
class SweepResult:
    """What one sweep did."""

    claimed: int = 0
    fired: int = 0
    skipped: int = 0
    failed: int = 0


def claim_due(now: datetime, limit: int) -> list[ProcessInstance]:
    """Lock up to `limit` due running instances no other worker holds, earliest first.

    The locks last until the caller's transaction ends. The caller holds the returned
    objects for the batch, so the session keeps them (its identity map is weak) and
    reading them back costs no query.
    """
    return list(db.session.scalars(
        select(ProcessInstance)
        .where(ProcessInstance.next_timer_at <= now,
               ProcessInstance.status == InstanceStatus.RUNNING)
        .order_by(ProcessInstance.next_timer_at)
        .limit(limit)
        .with_for_update(skip_locked=True)))


def sweep(clock: Clock, batch_size: int) -> SweepResult:
    """Claim one batch of due instances and fire them; commit once.

    The batch is first fired straight through; should any instance fail, that attempt is
    rolled back whole and the batch is claimed again and fired instance by instance, each
    under a savepoint, so the failure is postponed and the rest still fire. Savepoints cost
    two statements per instance, which the ordinary all-good batch does not pay.
    """
    try:
        return run_unit(lambda: _fire_batch_straight(clock, batch_size), retries=0)
    except TRANSIENT:
        raise
    except Exception:  # noqa: BLE001 - redone carefully below, where each failure is handled
        if limits.cancelled():
            return SweepResult()  # shutting down: the batch is redone by the next worker
        log.info("a timer in the batch failed; firing the batch one instance at a time")
    return run_unit(lambda: _fire_batch(clock, batch_size), retries=0)


def _fire_batch_straight(clock: Clock, batch_size: int) -> SweepResult:
    result = SweepResult()
    now = clock.now()
    claimed = claim_due(now, batch_size)
    result.claimed = len(claimed)
    # The batch's open task rows in one query: a timer that cancels a task finds its row in
    # the session. Held here because the session's identity map only keeps what is referenced.
    open_rows = list(db.session.scalars(select(HumanTask).where(
        HumanTask.instance_id.in_([instance.id for instance in claimed]),
        HumanTask.state == TaskState.READY))) if claimed else []
    for instance in claimed:
        if limits.cancelled():
            break  # asked to stop: commit what fired, the rest stays due
        due = instance.next_timer_at
        if not services.fire_timers(instance.id, clock=clock, claimed=True, flush=False):
            result.skipped += 1
        else:
            _check_progress(instance, due)
            result.fired += 1
    db.session.flush()  # the whole batch's writes together, still inside the failure handling
    del open_rows
    return result


def _fire_batch(clock: Clock, batch_size: int) -> SweepResult:
    result = SweepResult()
    now = clock.now()
    claimed = claim_due(now, batch_size)
    result.claimed = len(claimed)
    for instance in claimed:
        if limits.cancelled():
            break
        _fire_one(instance, clock, now, result)
    return result


class NoProgress(RuntimeError):
    """The engine fired nothing although the index said a timer was due."""


def _check_progress(instance: ProcessInstance, due: datetime | None) -> None:
    """Index and engine disagree when a fire left `next_timer_at` where it was: without this
    the instance would be "fired" again on every sweep, forever, at the head of the queue."""
    if due is not None and instance.next_timer_at == due:
        raise NoProgress(f"定时器索引显示 {due.isoformat()} 到期，但引擎没有触发任何定时器")


def _fire_one(instance: ProcessInstance, clock: Clock, now: datetime,
              result: SweepResult) -> None:
    """Fire one claimed instance under a savepoint, so its failure spares the batch."""
    instance_id, due = instance.id, instance.next_timer_at
    try:
        with db.session.begin_nested():
            fired = services.fire_timers(instance_id, clock=clock, claimed=True)
            if fired:
                _check_progress(instance, due)
    except TRANSIENT:
        raise
    except StaleDataError:
        # Unlocked databases only: a request changed the instance after we read it.
        result.skipped += 1
        return
    except Exception as exc:  # noqa: BLE001 - one broken instance must not stop the queue
        if limits.cancelled():
            result.skipped += 1  # interrupted by shutdown, not broken: left due, not postponed
            return
        log.exception("firing timers of instance %s failed", instance_id)
        _postpone(instance_id, now, exc)
        result.failed += 1
        return
    if fired:
        result.fired += 1
    else:
        result.skipped += 1


def _postpone(instance_id: str, now: datetime, exc: Exception) -> None:
    """Push a failing instance's next timer back and say why in the audit trail."""
    retry_at = now + RETRY_AFTER
    db.session.execute(
        update(ProcessInstance)
        .where(ProcessInstance.id == instance_id, ProcessInstance.next_timer_at <= now)
        .values(next_timer_at=retry_at)
        .execution_options(synchronize_session=False))
    summary = {"error": type(exc).__name__, "message": str(exc)[:500],
               "retry_at": retry_at.isoformat()}
    limit = _limit_cause(exc)
    if limit is not None:
        summary["limit"] = str(limit)[:500]
    task = getattr(exc, "task", None)
    if task is not None:
        summary["element"] = getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name
    record(now, "timers.failed", instance_id=instance_id, summary=summary)


def _limit_cause(exc: BaseException) -> limits.ScriptLimitExceeded | None:
    """The script-limit error behind `exc` (SpiffWorkflow wraps what scripts raise)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, limits.ScriptLimitExceeded):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


@dataclass
class Job:
    """Periodic work other areas register (outbox delivery, deadline notices, reports).

    `run(clock)` is called every `every` inside its own unit of work; it must be safe to
    run twice and safe with several workers (claim rows with SKIP LOCKED, or key its
    output so a second run finds it done).
    """

    name: str
    every: timedelta
    run: Callable[[Clock], object]
    last_run: float = float("-inf")


_JOBS: dict[str, Job] = {}


def register_job(name: str, every: timedelta, run: Callable[[Clock], object]) -> None:
    """Have every worker run `run(clock)` about every `every` (replaces a job of the same name)."""
    _JOBS[name] = Job(name, every, run)


def run_jobs(clock: Clock, *, force: bool = False) -> int:
    """Run each registered job that is due (each in its own unit of work); return how many ran."""
    ran = 0
    for job in list(_JOBS.values()):
        if not force and time.monotonic() - job.last_run < job.every.total_seconds():
            continue
        job.last_run = time.monotonic()
        try:
            run_unit(partial(job.run, clock), retries=0)
        except Exception:  # noqa: BLE001 - one failing job must not stop the others
            log.exception("job %s failed", job.name)
            continue
        ran += 1
    return ran


class _Stopper:
    """Turns SIGTERM/SIGINT into a flag the loop checks between batches."""

    def __init__(self) -> None:
        self.stopping = False
        self._previous = {sig: signal.signal(sig, self._stop)
                          for sig in (signal.SIGTERM, signal.SIGINT)}

    def _stop(self, signum: int, frame: FrameType | None) -> None:  # noqa: ARG002 - signal handler signature
        self.stopping = True
        # A diagram script running now is interrupted, so even a busy worker stops in seconds.
        limits.cancel_running()

    def restore(self) -> None:
        """Put back the handlers that were installed before (in-process callers, tests)."""
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        limits.reset_cancel()

    def sleep(self, seconds: float) -> None:
        """Sleep up to `seconds`, waking early when asked to stop."""
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(min(_STOP_CHECK_SECONDS, max(0.0, deadline - time.monotonic())))


def _safe_sweep(clock: Clock, batch_size: int) -> SweepResult | None:
    """A sweep, or None when the database failed (logged; the caller backs off)."""
    try:
        return sweep(clock, batch_size)
    except Exception:  # noqa: BLE001 - keep the worker alive through database outages
        log.exception("sweep failed; backing off")
        return None


def run_forever(clock: Clock, batch_size: int, poll_seconds: float, *,
                until_idle: bool = False, jobs: bool = True) -> SweepResult:
    """Sweep (and run the registered jobs) until SIGTERM/SIGINT, or with `until_idle`
    until a sweep finds nothing due.

    Sleeps only when a sweep claimed nothing or the database failed. With `until_idle`
    the jobs run once more, forced, after the last timer fired, so a simulation ends with
    them having seen the final state. Returns the timer totals.
    """
    stopper = _Stopper()
    total = SweepResult()
    log.info("worker started")
    try:
        while not stopper.stopping:
            result = _safe_sweep(clock, batch_size)
            idle = result is None or result.claimed == 0
            if jobs:
                run_jobs(clock, force=until_idle and result is not None and idle)
            if result is not None:
                _add(total, result)
            if idle:
                if until_idle and result is not None:
                    break
                stopper.sleep(poll_seconds)
    finally:
        stopper.restore()
    log.info("worker stopped: fired %s, skipped %s, failed %s", total.fired, total.skipped,
             total.failed)
    return total


def _add(total: SweepResult, result: SweepResult) -> None:
    if result.fired or result.failed:
        log.info("fired %s, skipped %s, failed %s", result.fired, result.skipped,
                 result.failed)
    total.claimed += result.claimed
    total.fired += result.fired
    total.skipped += result.skipped
    total.failed += result.failed
