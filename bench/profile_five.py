"""Profile the five-task workload in one process: where a request's CPU goes, and its SQL.

The same calls as `bench/five_tasks.py` (start by process id, five completions with
`claim: true`, four task lists without counts) through the Flask test client — no network,
no gunicorn — on a throw-away SQLite file or PostgreSQL database, under cProfile with the
process CPU clock (so other work on a shared machine does not count). Prints the CPU per
instance, the statements per call kind, and the top functions by own and cumulative time.

    .venv/bin/python -m bench.profile_five --database sqlite --instances 100
    .venv/bin/python -m bench.profile_five --database postgresql --sql    # print each statement once
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from contextlib import ExitStack
from pathlib import Path

if __package__ in (None, ""):  # `python bench/profile_five.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import DEFAULT_PG_ADMIN_URL, sqlalchemy_url, throwaway_postgres  # noqa: E402
from bench.five_tasks import PROCESS, STEPS, UNIT, _prepare  # noqa: E402


def _workload(client, headers, instances: int, sent: dict[str, list[str]], kind: list[str]) -> None:
    for number in range(instances):
        key = f"prof-{uuid.uuid4().hex[:12]}-{number}"
        kind[0] = "start"
        answer = client.post(f"/api/v1/processes/{PROCESS}/instances", headers=headers,
                             json={"org_unit": UNIT, "business_key": key})
        [task_id] = answer.json["open_task_ids"]
        for step in range(STEPS):
            kind[0] = "complete"
            done = client.post(f"/api/v1/tasks/{task_id}/complete", headers=headers,
                               json={"claim": True, "data": {"note": f"第 {step + 1} 步", "done": True}})
            assert done.status_code == 200, done.json
            if step < STEPS - 1:
                kind[0] = "list"
                page = client.get("/api/v1/tasks?tab=todo&counts=false", headers=headers).json
                [task_id] = [item["id"] for item in page["items"] if item["business_key"] == key]


def main() -> None:
    """Set up, warm up, profile, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--instances", type=int, default=100)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sql", action="store_true", help="print each distinct statement")
    parser.add_argument("--save", default="", help="write the raw profile here (pstats format)")
    parser.add_argument("--pg-admin-url", default=DEFAULT_PG_ADMIN_URL)
    args = parser.parse_args()
    from sqlalchemy import event  # noqa: PLC0415

    from app import create_app  # noqa: PLC0415
    from app.extensions import db  # noqa: PLC0415

    with ExitStack() as stack:
        if args.database == "sqlite":
            out = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="onedoor-prof-")))
            url = f"sqlite:///{out}/bench.sqlite3"
        else:
            url = stack.enter_context(throwaway_postgres(args.pg_admin_url))
        secret = _prepare(url)
        app = create_app({"SQLALCHEMY_DATABASE_URI": sqlalchemy_url(url)})
        headers = {"Authorization": f"Bearer {secret}"}
        sent: dict[str, list[str]] = defaultdict(list)
        kind = ["setup"]
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute",
                         lambda _c, _cur, statement, *_: sent[kind[0]].append(statement))
            client = app.test_client()
            _workload(client, headers, 5, sent, kind)  # caches warm, as in a running worker
            sent.clear()
            profiler = cProfile.Profile(time.process_time)
            started = time.process_time()
            profiler.enable()
            _workload(client, headers, args.instances, sent, kind)
            profiler.disable()
            cpu = time.process_time() - started
            db.session.remove()
            db.engine.dispose()
    calls = {"start": args.instances, "complete": args.instances * STEPS,
             "list": args.instances * (STEPS - 1)}
    print(f"{args.database}: {args.instances} instances, this process's CPU "
          f"{cpu / args.instances * 1000:.1f} ms per instance under cProfile (its overhead included; "
          "server CPU of the database not)")
    for name, count in calls.items():
        print(f"  {name}: {len(sent[name]) / count:.1f} statements per call")
        if args.sql:
            for statement, times in Counter(" ".join(s.split())[:160] for s in sent[name]).items():
                print(f"      {times / count:4.1f}× {statement}")
    if args.save:
        profiler.dump_stats(args.save)
    for order in ("tottime", "cumulative"):
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).strip_dirs().sort_stats(order).print_stats(args.top)
        print(text.getvalue())


if __name__ == "__main__":
    main()
