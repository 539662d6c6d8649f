"""Task completions over HTTP: gunicorn in front of PostgreSQL, a bounded load generator on loopback.

Seeds `--tasks` on-the-spot cases (统一受理 through the case service, like the intake window),
has the township mediator claim every task, gives the mediator a personal API token, starts
gunicorn (`--workers`, default 2 × cores) on a free loopback port and drives
`POST /api/v1/tasks/<id>/complete` with wrk (Debian package `wrk`: `apt-get install wrk`)
and a Lua script that hands each request the next unused task id. Each request is a real
completion: token check, the caller's scope, form validation, the engine step, case record,
audit, one transaction. Afterwards the database is checked: every 200 is a completed task,
nothing else changed state, no 5xx.

    .venv/bin/python -m bench.http                            # 6,000 tasks, 64 clients, 15 s
    .venv/bin/python -m bench.http --tasks 2000 --duration 5 --connections 16 --no-append
    .venv/bin/python -m bench.http --connections 8,32,64       # one run per client count

Results: completions/s (2xx responses ÷ wrk's duration), latency p50/p95/p99 from wrk's own
histogram (so they include queueing in gunicorn's backlog), errors. Goal: ≥ 300 completions/s
with p95 ≤ 50 ms on the 2-core development machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # `python bench/http.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    DEFAULT_PG_ADMIN_URL,
    ROOT,
    append_results,
    machine_facts,
    markdown_table,
    migrate_and_seed_demo,
    sqlalchemy_url,
    throwaway_postgres,
)
from bench.engine import GRID, INTAKE, RESOLVED  # noqa: E402

LUA = r"""
-- Each wrk thread takes every `threads`-th id of the list, so no id is sent twice.
local ids = {}
for line in io.lines(os.getenv("BENCH_IDS")) do ids[#ids + 1] = line end
local token = os.getenv("BENCH_TOKEN")
local body = os.getenv("BENCH_BODY")
counter = 0  -- global: done() reads it from each thread
local threads = {}

function setup(thread)
  thread:set("offset", #threads)
  thread:set("stride", tonumber(os.getenv("BENCH_THREADS")))
  table.insert(threads, thread)
end

function init(args)
  counter = 0
end

function request()
  local i = offset + counter * stride + 1
  counter = counter + 1
  if i > #ids then
    return wrk.format("GET", "/healthz")  -- out of tasks: counted apart, see `exhausted`
  end
  return wrk.format("POST", "/api/v1/tasks/" .. ids[i] .. "/complete",
                    {["Authorization"] = "Bearer " .. token,
                     ["Content-Type"] = "application/json"}, body)
end

statuses = ""  -- global: "409,500," etc., read by done() from each thread

function response(status, headers, body)
  if status >= 300 then statuses = statuses .. status .. "," end
end

function done(summary, latency, requests)
  local sent = 0
  local bad = ""
  for _, thread in ipairs(threads) do
    sent = sent + thread:get("counter")
    bad = bad .. thread:get("statuses")
  end
  io.write("STATUSES " .. bad .. "\n")
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "non2xx": %d, "connect": %d, "read": %d, '
    .. '"write": %d, "timeout": %d, "p50": %d, "p95": %d, "p99": %d, "max": %d, "sent": %d}\n',
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, sent))
end
"""


def _seed(url: str, tasks: int) -> tuple[list[str], str, float]:
    """Open `tasks` cases, claim their tasks as the mediator; return ids, a token, seconds."""
    from sqlalchemy import select  # noqa: PLC0415

    from app import create_app  # noqa: PLC0415
    from app.api import keys  # noqa: PLC0415
    from app.cases import services as cases  # noqa: PLC0415
    from app.extensions import db  # noqa: PLC0415
    from app.org.models import OrgUnit, User  # noqa: PLC0415
    from app.org.services import load_actor  # noqa: PLC0415
    from app.unit_of_work import run_unit  # noqa: PLC0415
    from app.workflow import services  # noqa: PLC0415
    from app.workflow.models import HumanTask, TaskState  # noqa: PLC0415

    app = create_app({"SQLALCHEMY_DATABASE_URI": sqlalchemy_url(url)})
    clock = app.extensions["onedoor.clock"]
    with app.app_context():
        migrate_and_seed_demo(clock.now(), note="bench/http.py")
        started = time.perf_counter()
        grid = db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == GRID))
        users = {u.username: u.id for u in db.session.scalars(select(User))}
        clerk, mediator = load_actor(users["clerk"]), load_actor(users["mediator"])
        for done in range(tasks):
            run_unit(lambda: cases.open_case(INTAKE, org_unit_id=grid, clock=clock, actor=clerk))
            if done % 1000 == 999:
                print(f"  seeded {done + 1} cases", flush=True)
        ids = list(db.session.scalars(select(HumanTask.id).where(
            HumanTask.state == TaskState.READY, HumanTask.bpmn_id == "on_the_spot")
            .order_by(HumanTask.created_at)))
        for task_id in ids:
            run_unit(lambda t=task_id: services.claim_task(t, actor=mediator, clock=clock))
        _, secret = run_unit(lambda: keys.create_token("mediator", "bench", clock.now()))
        seconds = time.perf_counter() - started
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return ids, secret, seconds


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_gunicorn(url: str, workers: int, port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-only-secret",
           "ONEDOOR_ENV": "production", "ONEDOOR_HOTLINE_SECRET": "bench-only-12345",
           "ONEDOOR_REFERRAL_SECRET": "bench-only-referral"}
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--backlog", "2048", "wsgi:app"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {log}") from None
            time.sleep(0.2)
    return process


def _warm(port: int, ids: list[str], secret: str) -> None:
    """Let every worker parse the deployment, read the calendar and compile its form checks and
    scripts before the clock starts: complete a few tasks kept apart for it, from more clients
    at once than there are workers (so each worker gets some)."""
    body = json.dumps({"data": RESOLVED}, ensure_ascii=False)
    clients = [subprocess.Popen(
        ["curl", "-s", "-o", "/dev/null", "-X", "POST", "-H", f"Authorization: Bearer {secret}",
         "-H", "Content-Type: application/json", "--data-binary", body,
         f"http://127.0.0.1:{port}/api/v1/tasks/{task_id}/complete"]) for task_id in ids]
    for client in clients:
        client.wait(120)


def _run_wrk(port: int, ids: list[str], secret: str, *, connections: int, duration: int,
             threads: int, folder: Path) -> dict:
    ids_file = folder / "ids.txt"
    ids_file.write_text("\n".join(ids) + "\n", encoding="utf-8")
    script = folder / "complete.lua"
    script.write_text(LUA, encoding="utf-8")
    env = {**os.environ, "BENCH_IDS": str(ids_file), "BENCH_TOKEN": secret,
           "BENCH_BODY": json.dumps({"data": RESOLVED}, ensure_ascii=False),
           "BENCH_THREADS": str(min(threads, connections))}
    out = subprocess.run(
        ["wrk", "-t", str(min(threads, connections)), "-c", str(connections), "-d", f"{duration}s",
         "--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{port}"],
        env=env, text=True, capture_output=True, check=False)
    if out.returncode != 0 or "BENCH " not in out.stdout:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stdout}\n{out.stderr}")
    line = next(x for x in out.stdout.splitlines() if x.startswith("BENCH "))
    result = json.loads(line[len("BENCH "):])
    bad = next((x for x in out.stdout.splitlines() if x.startswith("STATUSES ")), "STATUSES ")
    codes = [int(code) for code in bad[len("STATUSES "):].split(",") if code]
    result["statuses"] = {code: codes.count(code) for code in sorted(set(codes))}
    return result


def _check(url: str) -> dict[str, int]:
    """Task states and audit counts after the run, straight from the database."""
    import psycopg  # noqa: PLC0415

    from bench.common import libpq_url  # noqa: PLC0415

    with psycopg.connect(libpq_url(url)) as conn:
        states = dict(conn.execute(
            "SELECT state, count(*) FROM human_task WHERE bpmn_id = 'on_the_spot' GROUP BY state").fetchall())
        completed_events = conn.execute(
            "SELECT count(*) FROM audit_event WHERE action = 'task.completed'").fetchone()[0]
    return {"completed": states.get("completed", 0), "ready": states.get("ready", 0),
            "completed_events": completed_events}


def main() -> None:
    """Seed, serve, load, check, report."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=6000, help="claimed tasks to seed (default 6000)")
    parser.add_argument("--connections", default="64", help="concurrent clients; a list runs each")
    parser.add_argument("--duration", type=int, default=15, help="seconds per run (default 15)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--pg-admin-url", default=DEFAULT_PG_ADMIN_URL)
    parser.add_argument("--port", type=int, default=0, help="gunicorn port (default: a free one)")
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed: apt-get install wrk")
    rows = []
    with throwaway_postgres(args.pg_admin_url) as url, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"seeding {args.tasks} claimed tasks …", flush=True)
        ids, secret, seed_seconds = _seed(url, args.tasks)
        facts = machine_facts(url)
        port = args.port or _free_port()
        server = _start_gunicorn(url, args.workers, port, folder / "gunicorn.log")
        try:
            warm_up = args.workers * 4
            _warm(port, ids[:warm_up], secret)
            ids = ids[warm_up:]
            offset = 0
            for connections in [int(c) for c in args.connections.split(",")]:
                before = _check(url)["completed"]
                result = _run_wrk(port, ids[offset:], secret, connections=connections,
                                  duration=args.duration, threads=args.threads, folder=folder)
                after = _check(url)
                offset += min(result["sent"], len(ids) - offset)
                rows.append(_row(connections, result, after["completed"] - before, args))
                print(markdown_table(HEADERS, rows[-1:]).splitlines()[-1], flush=True)
        finally:
            server.terminate()
            server.wait(30)
            problems = [line for line in (folder / "gunicorn.log").read_text(errors="replace").splitlines()
                        if "ERROR" in line or "Error" in line]
            if problems:
                print("gunicorn log errors:\n" + "\n".join(problems[-20:]))
        final = _check(url)
    _report(args, rows, final, facts, seed_seconds)


HEADERS = ["clients", "gunicorn workers", "seconds", "completions", "completions/s", "p50 ms",
           "p95 ms", "p99 ms", "max ms", "errors", "out of tasks"]


def _row(connections: int, result: dict, completed: int, args) -> list[object]:
    seconds = result["duration_us"] / 1e6
    exhausted = max(0, result["requests"] - result["non2xx"] - completed)
    errors = result["non2xx"] + result["connect"] + result["read"] + result["write"] + result["timeout"]
    if errors:
        errors = f"{errors} {result['statuses'] or ''}".strip()
    return [connections, args.workers, f"{seconds:.1f}", completed, f"{completed / seconds:.0f}",
            f"{result['p50'] / 1000:.1f}", f"{result['p95'] / 1000:.1f}", f"{result['p99'] / 1000:.1f}",
            f"{result['max'] / 1000:.1f}", errors, exhausted]


def _report(args, rows: list[list[object]], final: dict[str, int], facts: dict[str, str],
            seed_seconds: float) -> None:
    table = markdown_table(HEADERS, rows)
    print(table)
    print(f"database after the runs: {final}")
    if final["completed"] != final["completed_events"]:
        raise SystemExit("completed tasks and task.completed audit events disagree")
    if args.no_append:
        return
    append_results(
        "HTTP: task completions under gunicorn", facts, table,
        f"`python -m bench.http --tasks {args.tasks} --connections {args.connections} "
        f"--duration {args.duration} --workers {args.workers}`; wrk {args.threads} threads on loopback, "
        "each request `POST /api/v1/tasks/<id>/complete` of a distinct claimed on-the-spot task with a "
        "personal token (mediation result form with the agreement); gunicorn sync workers; the server, "
        f"PostgreSQL and wrk share the machine. Seeding {args.tasks} cases took "
        f"{seed_seconds:.0f} s. Afterwards: {final['completed']} tasks completed = "
        f"{final['completed_events']} "
        "task.completed audit events. \"out of tasks\" counts requests sent after the seeded tasks "
        "ran out (a cheap GET, not counted). Goal: ≥ 300 completions/s, p95 ≤ 50 ms.")


if __name__ == "__main__":
    main()
