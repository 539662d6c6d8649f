"""The background worker: fires due BPMN timers from the indexed `next_timer_at`.

Every instance is fired in its own transaction. On PostgreSQL the row is locked
with SKIP LOCKED, so several workers share the queue without doing anything twice;
a worker killed mid-batch loses only its uncommitted transaction, which the next
sweep redoes.
"""

import logging
import signal
import time
from dataclasses import dataclass

from app.clock import Clock
from app.errors import Conflict
from app.extensions import db
from app.unit_of_work import run_unit
from app.workflow import services

log = logging.getLogger("onedoor.worker")


@dataclass
class SweepResult:
    """What one sweep did."""

    fired: int = 0
    skipped: int = 0
    failed: int = 0


def sweep(clock: Clock, batch_size: int) -> SweepResult:
    """Fire every instance whose timer is due (one batch)."""
    result = SweepResult()
    ids = services.due_timer_instances(clock, batch_size)
    db.session.rollback()  # end the read transaction before the per-instance ones
    for instance_id in ids:
        try:
            fired = run_unit(lambda i=instance_id: services.fire_timers(i, clock=clock),
                             retries=0)
        except Conflict:
            fired = False
        except Exception:
            log.exception("firing timers of instance %s failed", instance_id)
            result.failed += 1
            continue
        if fired:
            result.fired += 1
        else:
            result.skipped += 1
    return result


def run_forever(clock: Clock, batch_size: int, poll_seconds: float) -> None:
    """Sweep until SIGTERM/SIGINT; sleep only when a sweep found nothing to do."""
    stopping = False

    def stop(signum, frame):  # noqa: ARG001 - signal handler signature
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("worker started")
    while not stopping:
        result = sweep(clock, batch_size)
        if result.fired or result.failed:
            log.info("fired %s, skipped %s, failed %s", result.fired, result.skipped,
                     result.failed)
        if result.fired + result.skipped < batch_size:
            time.sleep(poll_seconds)
    log.info("worker stopped")
