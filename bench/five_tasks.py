"""A workload to compare with other products: start → five sequential user tasks → end, over HTTP.

The process (`bench/processes/five_tasks.bpmn`, lane 综合受理, one small form) is deployed next
to the demo processes on a throw-away database (SQLite file and/or PostgreSQL). gunicorn
serves it (`--workers`, sync workers, `ONEDOOR_ENV=production`); `--clients` threads in this
process each drive whole instances with the window clerk's personal token:

    POST /api/v1/processes/five_tasks/instances          start (answers the first task's id)
    POST /api/v1/tasks/<id>/complete {"claim": true}      × 5 (claim and complete, one call)
    GET  /api/v1/tasks?tab=todo&counts=false              × 4 (find the next task, as a client would)

Reported per database and client count: instances/s, per-instance wall time p50/p95, per-call
p50/p95 by kind, and the **server CPU per instance** — utime+stime of the gunicorn master and
workers, plus the PostgreSQL backends of the bench database, read from /proc before and after
the measured instances. CPU time survives a noisy machine better than wall time; the reference
for the same workload on spiff-arena (same engine) is 617 ms per instance on SQLite and
652 ms on PostgreSQL (ENGINE-NOTES / issue 19).

    .venv/bin/python -m bench.five_tasks                                  # both databases, 1 and 4 clients
    .venv/bin/python -m bench.five_tasks --databases sqlite --instances 50 --no-append
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):  # `python bench/five_tasks.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    DEFAULT_PG_ADMIN_URL,
    append_results,
    machine_facts,
    markdown_table,
    migrate_and_seed_demo,
    sqlalchemy_url,
    throwaway_postgres,
)
from bench.http import _free_port, _start_gunicorn  # noqa: E402 - one gunicorn set-up for the HTTP benches

HERE = Path(__file__).resolve().parent
PROCESS = "five_tasks"
STEPS = 5
USER = "clerk"
UNIT = "zy-1-1"  # 梁家墩镇, where the demo clerk works
TICKS = os.sysconf("SC_CLK_TCK")
PEER_CPU_MS = {"sqlite": 617, "postgresql": 652}


# --------------------------------------------------------------------------- set-up

def _prepare(url: str) -> str:
    """Migrate, seed the demo, deploy the bench process, make the clerk's token; return it."""
    from app import create_app  # noqa: PLC0415
    from app.api import keys  # noqa: PLC0415
    from app.clock import SystemClock  # noqa: PLC0415
    from app.extensions import db  # noqa: PLC0415
    from app.unit_of_work import run_unit  # noqa: PLC0415
    from app.workflow.deploy import deploy_files, read_directories  # noqa: PLC0415

    clock = SystemClock()
    app = create_app({"SQLALCHEMY_DATABASE_URI": sqlalchemy_url(url)})
    with app.app_context():
        migrate_and_seed_demo(clock.now(), note="bench.five_tasks")
        files = read_directories(HERE / "processes", HERE / "forms")
        run_unit(lambda: deploy_files(files, now=clock.now(), note="bench.five_tasks",
                                      known_lanes=["综合受理"]))
        _, secret = run_unit(lambda: keys.create_token(USER, "bench.five_tasks", clock.now()))
        db.session.remove()
        db.engine.dispose()
    return secret


# --------------------------------------------------------------------------- CPU from /proc

def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if ppid == pid:
                found.append(int(entry.name))
    return found


def _pg_backends(database: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if cmd.startswith("postgres:") and f" {database} " in cmd:
                found.append(int(entry.name))
    return found


class CpuMeter:
    """utime+stime of gunicorn (master and workers) and of the database's backends."""

    def __init__(self, gunicorn_pid: int, database: str | None):
        self.gunicorn_pid, self.database = gunicorn_pid, database

    def read(self) -> dict[str, dict[int, float]]:
        """Seconds of CPU per process, by kind."""
        pids = [self.gunicorn_pid, *_children(self.gunicorn_pid)]
        readings = {"gunicorn": {pid: _cpu_seconds(pid) for pid in pids}}
        readings["postgresql"] = ({pid: _cpu_seconds(pid) for pid in _pg_backends(self.database)}
                                  if self.database else {})
        return readings

    @staticmethod
    def spent(before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]) -> dict[str, float]:
        """CPU seconds spent between two readings (a process new since `before` counts from 0)."""
        return {kind: sum(value - before[kind].get(pid, 0.0) for pid, value in after[kind].items())
                for kind in after}


# --------------------------------------------------------------------------- the client

class Client:
    """One keep-alive HTTP connection driving whole instances with a bearer token."""

    def __init__(self, port: int, secret: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
        self.calls: dict[str, list[float]] = defaultdict(list)

    def _call(self, kind: str, method: str, path: str, body: dict | None = None) -> dict:
        started = time.perf_counter()
        self.conn.request(method, path, body=json.dumps(body) if body is not None else None,
                          headers=self.headers)
        response = self.conn.getresponse()
        payload = response.read()
        self.calls[kind].append(time.perf_counter() - started)
        if response.status >= 300:
            raise RuntimeError(f"{method} {path} → {response.status}: {payload[:300]!r}")
        return json.loads(payload)

    def run_instance(self, number: int) -> float:
        """Start one instance and work its five tasks; the wall time in seconds."""
        started = time.perf_counter()
        key = f"bench-{uuid.uuid4().hex[:16]}-{number}"
        instance = self._call("start", "POST", f"/api/v1/processes/{PROCESS}/instances",
                              {"org_unit": UNIT, "business_key": key})
        [task_id] = instance["open_task_ids"]
        for step in range(STEPS):
            self._call("complete", "POST", f"/api/v1/tasks/{task_id}/complete",
                       {"claim": True, "data": {"note": f"第 {step + 1} 步办理情况", "done": True}})
            if step < STEPS - 1:
                page = self._call("list", "GET", "/api/v1/tasks?tab=todo&counts=false")
                [task_id] = [item["id"] for item in page["items"] if item["business_key"] == key]
        return time.perf_counter() - started


def _drive(port: int, secret: str, clients: int, per_client: int) -> tuple[list[float], dict, float]:
    """Run `per_client` instances on each of `clients` threads; walls, call times, elapsed."""
    workers = [Client(port, secret) for _ in range(clients)]
    walls: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(client: Client) -> None:
        try:
            for number in range(per_client):
                wall = client.run_instance(number)
                with lock:
                    walls.append(wall)
        except BaseException as exc:  # noqa: BLE001 - reported after the threads join
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(c,)) for c in workers]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{len(errors)} client(s) failed: {errors[0]}")
    calls: dict[str, list[float]] = defaultdict(list)
    for client in workers:
        for kind, times in client.calls.items():
            calls[kind].extend(times)
    return walls, calls, elapsed


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


# --------------------------------------------------------------------------- one database

def _measure(kind: str, url: str, args, out: Path) -> list[list[object]]:
    secret = _prepare(url)
    port = args.port or _free_port()
    server = _start_gunicorn(url, args.workers, port, out / f"gunicorn-{kind}.log")
    database = url.rsplit("/", 1)[1] if kind == "postgresql" else None
    rows = []
    try:
        meter = CpuMeter(server.pid, database)
        _drive(port, secret, args.workers * 2, args.warmup)  # every worker warm, caches full
        for clients in args.clients:
            per_client = max(1, args.instances // clients)
            before = meter.read()
            walls, calls, elapsed = _drive(port, secret, clients, per_client)
            spent = CpuMeter.spent(before, meter.read())
            rows.append(_row(kind, clients, walls, calls, elapsed, spent=spent))
            print(markdown_table(HEADERS, [rows[-1]]), flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return rows


HEADERS = ["database", "clients", "instances", "instances/s", "wall p50 ms", "wall p95 ms",
           "start p50/p95 ms", "complete p50/p95 ms", "list p50/p95 ms",
           "server CPU ms/instance (gunicorn + PostgreSQL)", "vs spiff-arena"]


def _row(kind, clients, walls, calls, elapsed, *, spent) -> list[object]:
    count = len(walls)
    cpu = sum(spent.values()) / count * 1000
    detail = f"{cpu:.1f} ({spent['gunicorn'] / count * 1000:.1f} + {spent['postgresql'] / count * 1000:.1f})"
    return [kind, clients, count, f"{count / elapsed:.1f}",
            f"{statistics.median(walls) * 1000:.1f}", f"{_p(walls, 0.95):.1f}",
            *(f"{_p(calls[k], 0.5):.1f} / {_p(calls[k], 0.95):.1f}" for k in ("start", "complete", "list")),
            detail, f"{PEER_CPU_MS[kind] / cpu:.1f}× less"]


def main() -> None:
    """Parse the flags, measure each database, append the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--clients", default="1,4", type=lambda s: [int(x) for x in s.split(",")])
    parser.add_argument("--instances", type=int, default=200, help="measured instances per client count")
    parser.add_argument("--warmup", type=int, default=5, help="instances per warm-up client")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--pg-admin-url", default=os.environ.get("PG_ADMIN_URL", DEFAULT_PG_ADMIN_URL))
    parser.add_argument("--port", type=int, default=0, help="gunicorn port (default: a free one)")
    parser.add_argument("--no-append", action="store_true", help="print only; leave RESULTS.md alone")
    args = parser.parse_args()
    rows: list[list[object]] = []
    facts_url = None
    with ExitStack() as stack:
        out = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="onedoor-five-")))
        for kind in args.databases.split(","):
            if kind == "sqlite":
                url = f"sqlite:///{out}/bench.sqlite3"
            else:
                url = stack.enter_context(throwaway_postgres(args.pg_admin_url))
                facts_url = url
            rows += _measure(kind, url, args, out)
        facts = machine_facts(facts_url)
    facts["gunicorn workers"] = str(args.workers)
    table = markdown_table(HEADERS, rows)
    print(table)
    if not args.no_append:
        append_results("five_tasks.py — start + five user tasks over HTTP", facts, table,
                       f"Run at {datetime.now(UTC):%H:%M} UTC; warm-up {args.warmup} instances per "
                       f"client on {args.workers * 2} clients first. CPU from /proc (utime+stime).")


if __name__ == "__main__":
    main()
