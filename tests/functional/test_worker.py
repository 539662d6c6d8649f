"""The timer worker: exactly-once firing with several real `flask worker` processes and kill -9.

Instances of `two_step` (a user task with a boundary timer) are started through the real
service; the workers run as OS processes against the same database with a clock frozen
past the deadline (`flask worker --now ...`). Firing a timer cancels `mediate` and creates
`escalated`, writes one `timers.fired` audit event and bumps the instance version once.
"""

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app.audit.models import AuditEvent
from app.extensions import db
from app.unit_of_work import run_unit
from app.workflow import services, worker
from app.workflow.models import HumanTask, ProcessInstance, TaskState
from tests.conftest import SHANGHAI

ROOT = Path(__file__).resolve().parents[2]
PAST_DEADLINE = datetime(2026, 3, 6, 12, 0, tzinfo=SHANGHAI)


def _start(count: int, org, clock, prefix: str = "ZY-T") -> list[str]:
    """Start `count` two_step instances through the service, committing in chunks."""
    unit_id = org.unit("zy-1-1-1-1").id
    ids: list[str] = []
    for first in range(0, count, 200):
        ids += run_unit(lambda first=first: [services.start_instance(
            "two_step", business_key=f"{prefix}-{i}", org_unit_id=unit_id, data={},
            clock=clock).id for i in range(first, min(count, first + 200))])
        db.session.expunge_all()
    return ids


def _start_in_child(database_url: str, start: datetime, prefix: str, first: int,
                    count: int) -> list[str]:
    """Child process: start instances `first`..`first + count - 1` (see `_start_parallel`)."""
    from app import create_app  # noqa: PLC0415
    from app.clock import FrozenClock  # noqa: PLC0415
    from app.org.models import OrgUnit  # noqa: PLC0415

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url}, clock=FrozenClock(start))
    with app.app_context():
        unit_id = db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == "zy-1-1-1-1"))
        ids: list[str] = []
        for low in range(first, first + count, 200):
            ids += run_unit(lambda low=low: [services.start_instance(
                "two_step", business_key=f"{prefix}-{i}", org_unit_id=unit_id, data={},
                clock=app.extensions["onedoor.clock"]).id
                for i in range(low, min(first + count, low + 200))])
            db.session.expunge_all()
        return ids


def _start_parallel(count: int, clock, processes: int = 2, prefix: str = "ZY-P") -> list[str]:
    """Start `count` instances through the service from `processes` OS processes at once."""
    url = db.engine.url.render_as_string(hide_password=False)
    share = -(-count // processes)
    jobs = [(url, clock.now(), prefix, first, min(share, count - first))
            for first in range(0, count, share)]
    with multiprocessing.get_context("spawn").Pool(len(jobs)) as pool:
        return [i for ids in pool.starmap(_start_in_child, jobs) for i in ids]


def _spawn(database_uri: str, log: Path, *args: str, app_name: str = "onedoor-worker-test"):
    """Start a timers-only `flask worker --until-idle --now PAST_DEADLINE`; output to `log`."""
    url = database_uri
    if url.startswith("postgresql"):
        url += ("&" if "?" in url else "?") + f"application_name={app_name}"
    env = {**os.environ, "DATABASE_URL": url, "FLASK_APP": "wsgi.py",
           "ONEDOOR_WORKER_POLL_SECONDS": "0.2"}
    command = [sys.executable, "-m", "flask", "worker", "--until-idle", "--no-jobs",
               "--now", PAST_DEADLINE.isoformat(), *args]
    with log.open("w") as out:  # a file, not a pipe: a full pipe would stall the worker
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def _fired_counts(logs: list[Path]) -> list[int]:
    """`fired=N` from each worker's final line."""
    counts = []
    for log in logs:
        line = next(x for x in log.read_text().splitlines() if x.startswith("fired="))
        counts.append(int(line.split()[0].split("=")[1]))
    return counts


def _assert_each_fired_exactly_once(ids: list[str]) -> None:
    """One timers.fired event, one open `escalated` task, version 2 — for every instance."""
    db.session.expire_all()
    fired = dict(db.session.execute(
        select(AuditEvent.instance_id, func.count()).where(AuditEvent.action == "timers.fired")
        .group_by(AuditEvent.instance_id)).all())
    escalated = dict(db.session.execute(
        select(HumanTask.instance_id, func.count()).where(
            HumanTask.bpmn_id == "escalated", HumanTask.state == TaskState.READY)
        .group_by(HumanTask.instance_id)).all())
    versions = dict(db.session.execute(select(ProcessInstance.id, ProcessInstance.version)).all())
    missed = [i for i in ids if i not in fired]
    twice = [i for i, n in fired.items() if n != 1]
    assert (missed, twice) == ([], []), f"{len(missed)} missed, {len(twice)} fired twice"
    assert sorted(fired) == sorted(ids)
    assert all(escalated.get(i) == 1 for i in ids)
    assert {versions[i] for i in ids} == {2}
    assert _due_count() == 0
    assert _count("timers.failed") == 0


def _due_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ProcessInstance).where(
        ProcessInstance.next_timer_at <= PAST_DEADLINE))


def _count(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == action))


def _wait(processes, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    for process in processes:
        process.wait(timeout=max(1.0, deadline - time.monotonic()))
        assert process.returncode == 0


@pytest.fixture
def postgres(database):
    if database[0] != "postgresql":
        pytest.skip("needs PostgreSQL: row locks and several connections")


@pytest.mark.postgres_only
def test_three_workers_fire_a_thousand_timers_exactly_once(postgres, database_uri, deployed,
                                                           org, clock, tmp_path):
    ids = _start_parallel(1000, clock)
    logs = [tmp_path / f"worker{n}.log" for n in range(3)]
    workers = [_spawn(database_uri, log, "--batch-size", "25") for log in logs]
    _wait(workers)
    counts = _fired_counts(logs)
    assert sum(counts) == 1000, counts
    assert sum(1 for n in counts if n) >= 2, f"the work was not shared: {counts}"
    _assert_each_fired_exactly_once(ids)


def _backend_in_write_transaction(app_name: str) -> bool:
    """True while the worker's connection has an open transaction that already wrote."""
    return bool(db.session.execute(text(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name "
        "AND backend_xid IS NOT NULL"), {"name": app_name}).scalar())


def _backend_gone(app_name: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = db.session.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name"),
            {"name": app_name}).scalar()
        db.session.commit()
        if not alive:
            return
        time.sleep(0.05)
    raise AssertionError("the killed worker's connection is still open")


def _kill_mid_batch(process, app_name: str, at_least: int, timeout: float = 60) -> None:
    """SIGKILL the worker once `at_least` fires are committed and a batch is half-written."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = _count("timers.fired")
        busy = _backend_in_write_transaction(app_name)
        db.session.commit()  # a fresh snapshot for the next look
        if done >= at_least and busy:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
            return
        assert process.poll() is None, "the worker finished before it could be killed"
        time.sleep(0.01)
    raise AssertionError("the worker never got going")


def _assert_no_half_fired(ids: list[str]) -> int:
    """Every instance is either untouched or completely fired; return how many fired."""
    db.session.expire_all()
    fired = set(db.session.scalars(select(AuditEvent.instance_id).where(
        AuditEvent.action == "timers.fired")))
    open_tasks = db.session.execute(select(HumanTask.instance_id, HumanTask.bpmn_id).where(
        HumanTask.state == TaskState.READY)).all()
    expected = {(i, "escalated" if i in fired else "mediate") for i in ids}
    assert sorted(open_tasks) == sorted(expected)
    return len(fired)


@pytest.mark.postgres_only
def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_nothing(
        postgres, database_uri, deployed, org, clock, tmp_path):
    ids = _start_parallel(300, clock)
    victim = _spawn(database_uri, tmp_path / "victim.log", "--batch-size", "20",
                    app_name="onedoor-victim")
    _kill_mid_batch(victim, "onedoor-victim", at_least=40)
    _backend_gone("onedoor-victim")
    committed = _assert_no_half_fired(ids)
    assert 40 <= committed < 300
    assert committed % 20 == 0, "only whole batches may be committed"
    survivor = _spawn(database_uri, tmp_path / "survivor.log", "--batch-size", "20")
    _wait([survivor])
    assert _fired_counts([tmp_path / "survivor.log"]) == [300 - committed]
    _assert_each_fired_exactly_once(ids)


def test_one_worker_process_fires_every_timer_once(database, database_uri, deployed, org,
                                                   clock, tmp_path):
    if database[0] != "sqlite":
        pytest.skip("SQLite only: on PostgreSQL the tests above cover one and several workers")
    ids = _start(100, org, clock)
    db.session.commit()
    log = tmp_path / "worker.log"
    _wait([_spawn(database_uri, log, "--batch-size", "30")])
    assert _fired_counts([log]) == [100]
    _assert_each_fired_exactly_once(ids)


def _fail_for(monkeypatch, instance_id: str) -> None:
    """Make firing `instance_id` fail after the engine step and the writes (a broken diagram)."""
    real_sync = services.sync_instance

    def sync_then_fail(instance, *args, **kwargs):
        real_sync(instance, *args, **kwargs)
        db.session.flush()
        if instance.id == instance_id:
            raise ValueError("boom")

    monkeypatch.setattr(services, "sync_instance", sync_then_fail)


def test_a_failing_instance_is_rolled_back_postponed_and_spares_the_batch(
        deployed, org, clock, monkeypatch):
    ids = _start(3, org, clock)
    _fail_for(monkeypatch, ids[1])
    clock.set(PAST_DEADLINE)
    result = worker.sweep(clock, 10)
    assert (result.claimed, result.fired, result.failed) == (3, 2, 1)
    db.session.expire_all()
    broken = db.session.get(ProcessInstance, ids[1])
    assert broken.version == 1
    assert broken.next_timer_at == PAST_DEADLINE + worker.RETRY_AFTER
    assert db.session.scalars(select(HumanTask.bpmn_id).where(
        HumanTask.instance_id == ids[1], HumanTask.state == TaskState.READY)).all() == ["mediate"]
    failed = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "timers.failed")).one()
    assert (failed.instance_id, failed.summary["error"]) == (ids[1], "ValueError")
    assert worker.sweep(clock, 10).claimed == 0, "a failed instance must not be retried at once"
    monkeypatch.undo()
    clock.advance(minutes=6)
    assert worker.sweep(clock, 10).fired == 1


def test_an_instance_the_engine_will_not_fire_is_not_fired_forever(deployed, org, clock,
                                                                    monkeypatch):
    from app.workflow import engine  # noqa: PLC0415

    ids = _start(1, org, clock)
    monkeypatch.setattr(engine, "fire_timers", lambda workflow: None)
    clock.set(PAST_DEADLINE)
    result = worker.sweep(clock, 10)
    assert (result.fired, result.failed) == (0, 1)
    assert _count("timers.fired") == 0
    db.session.expire_all()
    assert db.session.get(ProcessInstance, ids[0]).next_timer_at > PAST_DEADLINE


def test_now_must_carry_a_time_zone(runner, app):
    result = runner.invoke(args=["worker", "--once", "--now", "2026-03-06T12:00:00"])
    assert result.exit_code == 2
    assert "带时区" in result.output


def test_now_freezes_the_worker_clock(runner, deployed, org, clock):
    _start(2, org, clock)
    before = runner.invoke(args=["worker", "--once", "--now",
                                 (PAST_DEADLINE - timedelta(days=4)).isoformat()])
    assert "fired=0" in before.output, before.output
    after = runner.invoke(args=["worker", "--once", "--now", PAST_DEADLINE.isoformat()])
    assert "fired=2" in after.output, after.output


def test_until_idle_runs_the_jobs_at_the_start_and_once_more_at_the_end(
        deployed, org, clock, monkeypatch):
    runs = []
    monkeypatch.setattr(worker, "_JOBS", {})
    worker.register_job("test.job", timedelta(hours=1), lambda c: runs.append(c.now()))
    _start(60, org, clock)
    clock.set(PAST_DEADLINE)
    total = worker.run_forever(clock, 25, 0, until_idle=True)
    assert (total.fired, len(runs)) == (60, 2)
    assert worker.run_forever(clock, 25, 0, until_idle=True, jobs=False).fired == 0
    assert len(runs) == 2
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL, "handlers are put back"


def test_a_real_worker_process_finds_a_stuck_instance(database_uri, deployed, org, clock, tmp_path):
    from app.workflow.models import InstanceFinding, Problem  # noqa: PLC0415

    healthy, broken = _start(2, org, clock, prefix="ZY-D")

    def break_it():  # by its rows nothing can move it: no open task, no timer, no subscription
        db.session.execute(text("UPDATE human_task SET state = 'cancelled' WHERE instance_id = :i"),
                           {"i": broken})
        db.session.execute(text("UPDATE process_instance SET next_timer_at = NULL WHERE id = :i"),
                           {"i": broken})
    run_unit(break_it)
    url = database_uri
    env = {**os.environ, "DATABASE_URL": url, "FLASK_APP": "wsgi.py", "ONEDOOR_WORKER_POLL_SECONDS": "0.2"}
    log = tmp_path / "worker.log"
    with log.open("w") as out:  # jobs on: the doctor runs at the start and at the end
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "worker", "--until-idle", "--now", clock.now().isoformat()],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    _wait([process])

    db.session.expire_all()
    found = {(f.instance_id, f.problem) for f in db.session.scalars(select(InstanceFinding))}
    assert found == {(broken, Problem.STUCK), (broken, Problem.TASKS_DIFFER),
                     (broken, Problem.TIMER_DIFFERS)}, log.read_text()[-2000:]
    assert _count("doctor.found") == 3
    assert healthy not in {instance for instance, _ in found}
