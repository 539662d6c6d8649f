"""Timer throughput: how many due BPMN timers `flask worker` fires per second, and duplicates.

For each worker count, N instances of the fixture process `two_step` (a user task with a
one-working-day boundary timer) are started through the real service, then that many
`flask worker --until-idle --no-jobs --now <past the deadline>` OS processes (timers only)
drain the queue. Fired/s is the number fired divided by the time from the first worker's
first sweep to the last worker's last one (process start-up excluded). Afterwards every instance is checked:
exactly one `timers.fired` event and one `escalated` task, or it counts as missed/duplicate.

    .venv/bin/python -m bench.timers                     # 10,000 timers; 1, then 2 workers
    .venv/bin/python -m bench.timers --timers 100000     # the full size
    .venv/bin/python -m bench.timers --timers 2000 --no-append   # a quick look
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

if __package__ in (None, ""):  # `python bench/timers.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    DEFAULT_PG_ADMIN_URL,
    ROOT,
    append_results,
    machine_facts,
    markdown_table,
    sqlalchemy_url,
    throwaway_postgres,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)  # a Monday; the deadline is Tuesday
FIRE_AT = datetime(2026, 3, 6, 12, 0, tzinfo=SHANGHAI)  # Friday: every timer is due
PROCESS = "two_step"
LOCATION = "zy-1-1-1-1"  # a grid in the demo organisation
FIXTURES = ROOT / "tests" / "fixtures"
LOG_TIME = "%Y-%m-%d %H:%M:%S,%f"


@dataclass
class Round:
    """One measured run: `workers` processes draining `timers` due timers."""

    workers: int
    timers: int
    seed_seconds: float = 0.0
    seconds: float = 0.0
    fired: int = 0
    duplicates: int = 0
    missed: int = 0
    failed: int = 0

    def row(self) -> list[object]:
        rate = self.fired / self.seconds if self.seconds else 0.0
        return [self.workers, self.timers, f"{self.seconds:.1f}", f"{rate:.0f}",
                self.duplicates, self.missed, self.failed, f"{self.seed_seconds:.0f}"]


HEADERS = ["workers", "timers", "seconds", "fired/s", "duplicates", "missed", "failed",
           "seeding s"]


def _app(url: str):
    from app import create_app  # noqa: PLC0415
    from app.clock import FrozenClock  # noqa: PLC0415

    return create_app({"SQLALCHEMY_DATABASE_URI": sqlalchemy_url(url)}, clock=FrozenClock(START))


def prepare(url: str) -> None:
    """Migrate, seed the demo organisation and deploy the fixture processes."""
    from flask_migrate import upgrade  # noqa: PLC0415

    from app.extensions import db  # noqa: PLC0415
    from app.org.demo import seed_demo  # noqa: PLC0415
    from app.unit_of_work import run_unit  # noqa: PLC0415
    from app.workflow.deploy import deploy_files, read_directories  # noqa: PLC0415

    app = _app(url)
    with app.app_context():
        upgrade()
        run_unit(lambda: seed_demo(START))
        files = read_directories(FIXTURES / "processes", FIXTURES / "forms")
        run_unit(lambda: deploy_files(files, now=START, note="bench/timers.py"))
        db.engine.dispose()


def _seed_child(url: str, prefix: str, first: int, count: int) -> None:
    """Child process: start instances first..first+count-1 through the service."""
    from sqlalchemy import select  # noqa: PLC0415

    from app.extensions import db  # noqa: PLC0415
    from app.org.models import OrgUnit  # noqa: PLC0415
    from app.unit_of_work import run_unit  # noqa: PLC0415
    from app.workflow import services  # noqa: PLC0415

    app = _app(url)
    clock = app.extensions["onedoor.clock"]
    with app.app_context():
        unit_id = db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == LOCATION))
        for low in range(first, first + count, 250):
            run_unit(lambda low=low: [services.start_instance(
                PROCESS, business_key=f"{prefix}-{i}", org_unit_id=unit_id, data={}, clock=clock)
                for i in range(low, min(first + count, low + 250))])
            db.session.expunge_all()
        db.engine.dispose()


UUID_RE = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def seed_clones(url: str, count: int, prefix: str) -> float:
    """Start one instance through the service, then COPY `count` copies of its rows (instance
    state and task rows, every engine task id renewed) into the database; return the seconds.

    Service seeding costs about as much per instance as firing, which made 100,000 timers a
    matter of hours; the copies are the very rows the service wrote, so the worker sees the same.
    """
    import re  # noqa: PLC0415
    import uuid  # noqa: PLC0415

    import psycopg  # noqa: PLC0415

    from bench.common import libpq_url  # noqa: PLC0415

    began = time.perf_counter()
    _seed_child(url, f"{prefix}-template", 0, 1)
    pattern = re.compile(UUID_RE)
    with psycopg.connect(libpq_url(url)) as conn:
        instance = _row(conn, "SELECT * FROM process_instance WHERE business_key = %s",
                        f"{prefix}-template-0")
        tasks = _rows(conn, "SELECT * FROM human_task WHERE instance_id = %s", instance["id"])
        conn.execute("DELETE FROM human_task WHERE instance_id = %s", (instance["id"],))
        conn.execute("DELETE FROM process_instance WHERE id = %s", (instance["id"],))
        with conn.cursor().copy(_copy_sql("process_instance", instance)) as instances:
            task_rows = []
            for n in range(count):
                renamed: dict[str, str] = {}

                def renew(match, renamed=renamed):
                    return renamed.setdefault(match.group(0), str(uuid.uuid4()))

                key = f"{prefix}-{n}"
                state = pattern.sub(renew, instance["state"])
                instance_id = str(uuid.uuid4())
                instances.write_row([*{**instance, "id": instance_id, "business_key": key,
                                        "state": state}.values()])
                task_rows += [[*{**task, "id": renamed[task["id"]], "instance_id": instance_id,
                                 "business_key": key}.values()] for task in tasks]
        with conn.cursor().copy(_copy_sql("human_task", tasks[0])) as copy:
            for row in task_rows:
                copy.write_row(row)
        conn.commit()
        conn.execute("ANALYZE process_instance")
        conn.execute("ANALYZE human_task")
        conn.commit()
    return time.perf_counter() - began


def _rows(conn, sql: str, *params) -> list[dict]:
    cursor = conn.execute(sql, params)
    names = [column.name for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _row(conn, sql: str, *params) -> dict:
    [row] = _rows(conn, sql, *params)
    return row


def _copy_sql(table: str, row: dict) -> str:
    return f"COPY {table} ({', '.join(row)}) FROM STDIN"


def seed(url: str, count: int, prefix: str, processes: int) -> float:
    """Start `count` instances from `processes` OS processes; return the seconds it took."""
    began = time.perf_counter()
    share = -(-count // processes)
    jobs = [(url, prefix, first, min(share, count - first)) for first in range(0, count, share)]
    with multiprocessing.get_context("spawn").Pool(len(jobs)) as pool:
        pool.starmap(_seed_child, jobs)
    return time.perf_counter() - began


def _worker_window(log: Path) -> tuple[datetime, datetime, int]:
    """When a worker's sweeping started and stopped (its log), and how many it fired."""
    started = stopped = None
    fired = 0
    for line in log.read_text(encoding="utf-8").splitlines():
        if line.endswith(" worker started"):
            started = datetime.strptime(line[:23], LOG_TIME)
        elif " worker stopped: " in line:
            stopped = datetime.strptime(line[:23], LOG_TIME)
        elif line.startswith("fired="):
            fired = int(line.split()[0].split("=")[1])
    if started is None or stopped is None:
        raise RuntimeError(f"worker log without start/stop lines:\n{log.read_text()}")
    return started, stopped, fired


def drain(url: str, workers: int, batch_size: int, logdir: Path) -> tuple[float, int]:
    """Run `workers` worker processes until nothing is due; return (seconds, fired)."""
    env = {**os.environ, "DATABASE_URL": url, "FLASK_APP": "wsgi.py",
           "ONEDOOR_WORKER_POLL_SECONDS": "0.5"}
    command = [sys.executable, "-m", "flask", "worker", "--until-idle", "--no-jobs",
               "--batch-size", str(batch_size), "--now", FIRE_AT.isoformat()]
    logs = [logdir / f"worker-{workers}-{n}.log" for n in range(workers)]
    running = []
    for log in logs:
        with log.open("w") as out:  # a file, not a pipe: a full pipe would stall the worker
            running.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=out,
                                            stderr=subprocess.STDOUT))
    for process in running:
        if process.wait() != 0:
            raise RuntimeError(f"a worker exited with {process.returncode}; see {logdir}")
    windows = [_worker_window(log) for log in logs]
    seconds = (max(w[1] for w in windows) - min(w[0] for w in windows)).total_seconds()
    return seconds, sum(w[2] for w in windows)


COUNTS_SQL = """
SELECT
  (SELECT count(*) FROM process_instance p WHERE p.business_key LIKE :prefix
     AND NOT EXISTS (SELECT 1 FROM audit_event a WHERE a.instance_id = p.id
                     AND a.action = 'timers.fired')) AS missed,
  (SELECT coalesce(sum(n - 1), 0) FROM (
     SELECT count(*) AS n FROM audit_event a JOIN process_instance p ON p.id = a.instance_id
     WHERE p.business_key LIKE :prefix AND a.action = 'timers.fired'
     GROUP BY a.instance_id) fired) AS duplicate_fires,
  (SELECT coalesce(sum(n - 1), 0) FROM (
     SELECT count(*) AS n FROM human_task t WHERE t.business_key LIKE :prefix
     AND t.bpmn_id = 'escalated' GROUP BY t.instance_id) tasks) AS duplicate_tasks,
  (SELECT count(*) FROM audit_event a JOIN process_instance p ON p.id = a.instance_id
     WHERE p.business_key LIKE :prefix AND a.action = 'timers.failed') AS failed
"""


def check(url: str, prefix: str) -> tuple[int, int, int]:
    """(duplicates, missed, failed) among the instances whose business key starts with prefix."""
    from sqlalchemy import text  # noqa: PLC0415

    from app.extensions import db  # noqa: PLC0415

    app = _app(url)
    with app.app_context():
        row = db.session.execute(text(COUNTS_SQL), {"prefix": f"{prefix}-%"}).one()
        db.engine.dispose()
    return int(row.duplicate_fires) + int(row.duplicate_tasks), int(row.missed), int(row.failed)


def measure(url: str, args: argparse.Namespace, logdir: Path) -> list[Round]:
    """Seed and drain once per worker count."""
    rounds = []
    for workers in args.workers:
        prefix = f"B{workers}W{time.time_ns()}"
        result = Round(workers, args.timers)
        print(f"seeding {args.timers} instances ...", flush=True)
        result.seed_seconds = (seed_clones(url, args.timers, prefix) if args.seed == "clone"
                               else seed(url, args.timers, prefix, args.seed_processes))
        print(f"draining with {workers} worker(s) ...", flush=True)
        result.seconds, result.fired = drain(url, workers, args.batch_size, logdir)
        result.duplicates, result.missed, result.failed = check(url, prefix)
        print(markdown_table(HEADERS, [result.row()]), flush=True)
        rounds.append(result)
    return rounds


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timers", type=int, default=10_000,
                        help="due timers per round (default 10,000; full size 100,000)")
    parser.add_argument("--workers", default="1,2",
                        type=lambda s: [int(x) for x in s.split(",") if x.strip()],
                        help="comma-separated worker counts, one round each (default 1,2)")
    parser.add_argument("--batch-size", type=int, default=50, help="instances claimed per sweep")
    parser.add_argument("--seed", choices=("clone", "service"), default="clone",
                        help="clone: one instance started through the service, its rows copied "
                             "(default, seconds for 100,000); service: every instance started "
                             "through the service")
    parser.add_argument("--seed-processes", type=int, default=2,
                        help="OS processes starting the instances with --seed service (default 2)")
    parser.add_argument("--database-url", default=None,
                        help="use this (PostgreSQL) database and keep it; default: a throw-away "
                             "database on --pg-admin-url, dropped afterwards")
    parser.add_argument("--pg-admin-url",
                        default=os.environ.get("PG_ADMIN_URL", DEFAULT_PG_ADMIN_URL))
    parser.add_argument("--no-append", action="store_true", help="do not write bench/RESULTS.md")
    return parser.parse_args(argv)


def run(url: str, args: argparse.Namespace) -> None:
    if url.startswith("sqlite") and (max(args.workers) > 1 or args.seed_processes > 1
                                     or args.seed == "clone"):
        raise SystemExit("SQLite supports one worker: use --workers 1 --seed service --seed-processes 1")
    prepare(url)
    facts = machine_facts(url)
    with tempfile.TemporaryDirectory(prefix="onedoor-bench-") as logdir:
        rounds = measure(url, args, Path(logdir))
    table = markdown_table(HEADERS, [r.row() for r in rounds])
    print(f"\n{table}")
    if not args.no_append:
        notes = (f"`python -m bench.timers --timers {args.timers} --workers "
                 f"{','.join(map(str, args.workers))} --batch-size {args.batch_size} --seed {args.seed}`; "
                 f"process `{PROCESS}`; each worker a `flask worker --until-idle --no-jobs` OS process.")
        append_results("Timers: fired per second", facts, table, notes)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.database_url:
        run(args.database_url, args)
        return
    with throwaway_postgres(args.pg_admin_url) as url:
        run(url, args)


if __name__ == "__main__":
    main()
