"""Inbox page server time with a large backlog of open tasks, on PostgreSQL.

Fills a throw-away database (migrated to head, Zhangye demo organisation) with
N open tasks spread over the 96 county departments and the township/grid posts,
each with its case, then renders the inbox page in-process (Flask test client:
server time only) for a department handler and a township mediator, and the
"due soon" tab, reporting p50/p95.

    .venv/bin/python -m bench.inbox                 # 100,000 open tasks (the issue's size)
    .venv/bin/python -m bench.inbox --tasks 20000 --requests 50
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench.common import (
    append_results,
    machine_facts,
    markdown_table,
    migrate_and_seed_demo,
    sqlalchemy_url,
    throwaway_postgres,
)

# Rows are generated in SQL (generate_series) so 100,000 tasks load in seconds. They are
# shaped like real ones: every task has an instance and a case at a grid of the demo tree;
# half go to departments, half to a role at a township or grid; due times spread ±10 days.
INSTANCES = """
INSERT INTO process_instance (id, deployment_id, process_id, business_key, org_unit_id, status, state,
                              version, next_timer_at, created_at, updated_at)
SELECT md5('i' || i)::uuid::text, :deployment, 'dispute', 'BN-' || lpad(i::text, 7, '0'),
       (SELECT id FROM org_unit WHERE level = 'grid' ORDER BY id OFFSET (i % :grids) LIMIT 1),
       'running', '{}', 1, NULL, now() - (i % 30) * interval '1 day', now()
FROM generate_series(1, :n) AS i
"""

CASES = """
INSERT INTO dispute_case (code, title, narrative, channel, category, risk_tier, amount, people_count,
                          org_unit_id, address, received_at, status, updated_at, instance_id, due_estimated)
SELECT pi.business_key, '纠纷 ' || pi.business_key, '基准测试数据',
       (ARRAY['walk_in','grid','hotline_12345'])[1 + i % 3],
       (ARRAY['neighbour','labour','contract','consumer','marriage_family'])[1 + i % 5],
       (ARRAY['red','orange','yellow','blue'])[1 + i % 4], 1000, 2, pi.org_unit_id, '', pi.created_at,
       'in_progress', now(), pi.id, false
FROM (SELECT *, row_number() OVER (ORDER BY business_key) AS i FROM process_instance) AS pi
"""

TASKS = """
INSERT INTO human_task (id, instance_id, process_id, business_key, bpmn_id, title, lane,
                        candidate_department_id, candidate_org_unit_id, candidate_role, state,
                        created_at, due_at, warn_at)
SELECT md5('t' || pi.i)::uuid::text, pi.id, 'dispute', pi.business_key, 'on_the_spot',
       '中心当场调解', '承办部门',
       CASE WHEN pi.i % 2 = 0 THEN (SELECT id FROM department ORDER BY id OFFSET (pi.i % :depts) LIMIT 1) END,
       CASE WHEN pi.i % 2 = 1 THEN pi.township END,
       CASE WHEN pi.i % 2 = 1 THEN 'mediator' END,
       'ready', pi.created_at, now() + ((pi.i % 21) - 10) * interval '1 day',
       now() + ((pi.i % 21) - 12) * interval '1 day'
FROM (SELECT p.*, row_number() OVER (ORDER BY p.business_key) AS i,
             (SELECT split_part(u.path, '/', 4)::int FROM org_unit u WHERE u.id = p.org_unit_id) AS township
      FROM process_instance p) AS pi
"""

# Task rows carry copies of their case's facts (migration 0010, app/cases/taskfacts.py).
FACTS = """
UPDATE human_task AS t SET case_org_unit_id = c.org_unit_id, case_category = c.category,
    case_risk_tier = c.risk_tier, case_channel = c.channel, case_level = c.level
FROM dispute_case AS c WHERE c.code = t.business_key
"""


def _fill(app, n: int) -> None:
    from sqlalchemy import func, select, text  # noqa: PLC0415

    from app.extensions import db  # noqa: PLC0415
    from app.org.models import Department, OrgUnit  # noqa: PLC0415
    from app.workflow.models import Deployment  # noqa: PLC0415

    with app.app_context():
        deployment = db.session.scalar(select(Deployment.id).where(Deployment.process_id == "dispute"))
        grids = db.session.scalar(select(func.count()).select_from(OrgUnit).where(OrgUnit.level == "grid"))
        depts = db.session.scalar(select(func.count()).select_from(Department))
        db.session.execute(text(INSTANCES), {"n": n, "deployment": deployment, "grids": grids})
        db.session.execute(text(CASES))
        db.session.execute(text(TASKS), {"depts": depts})
        db.session.execute(text(FACTS))
        db.session.commit()
    with app.app_context(), db.engine.connect() as conn:  # the UPDATE left dead rows
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))


def _prepare(url: str, n: int):
    from app import create_app  # noqa: PLC0415

    app = create_app({"SQLALCHEMY_DATABASE_URI": sqlalchemy_url(url), "WTF_CSRF_ENABLED": False})
    with app.app_context():
        migrate_and_seed_demo(app.extensions["onedoor.clock"].now(), note="bench/inbox.py")
    started = time.perf_counter()
    _fill(app, n)
    return app, time.perf_counter() - started


def _measure(app, username: str, path: str, requests: int) -> tuple[float, float, int]:
    from app.org.demo import DEMO_PASSWORD  # noqa: PLC0415

    client = app.test_client()
    client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    return statistics.median(timings), p95, len(response.data)


def main() -> None:
    """Run the benchmark and append the results."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=100_000, help="open tasks to generate")
    parser.add_argument("--requests", type=int, default=100, help="requests per measured page")
    args = parser.parse_args()
    with throwaway_postgres() as url:
        app, fill_seconds = _prepare(url, args.tasks)
        facts = machine_facts(url)
        rows = []
        for username, path, what in [("hrss", "/", "department handler, 待办"),
                                     ("mediator", "/", "township mediator, 待办"),
                                     ("mediator", "/?tab=due", "township mediator, 即将超期/已超期"),
                                     ("mediator", "/?category=labour&risk_tier=red", "mediator, filtered")]:
            p50, p95, size = _measure(app, username, path, args.requests)
            rows.append([what, args.tasks, args.requests, f"{p50:.1f}", f"{p95:.1f}", size])
            print(f"{what:40s} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
        with app.app_context():
            from app.extensions import db  # noqa: PLC0415

            db.engine.dispose()
    table = markdown_table(["page", "open tasks", "requests", "p50 ms", "p95 ms", "bytes"], rows)
    print(table)
    append_results("Inbox page server time", facts, table,
                   f"`python -m bench.inbox --tasks {args.tasks} --requests {args.requests}`; "
                   f"data generated in {fill_seconds:.1f} s; in-process Flask test client (server time "
                   "only, no network); goal p95 ≤ 50 ms.")


if __name__ == "__main__":
    main()
