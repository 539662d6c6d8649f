"""Supervision and report pages on a large data set: overdue list and monthly report, p50/p95.

Generates cases, their process instances and tasks, and audit events with
`generate_series` on a throw-away PostgreSQL database (seconds per million rows), then
times the real pages through the Flask test client, signed in as a city supervisor:
the overdue audit list (逾期台账) and the monthly reports (月总结, 平安形势分析研判报告).

    .venv/bin/python -m bench.reports                          # 100,000 cases, 1,000,000 audit events
    .venv/bin/python -m bench.reports --cases 1000000 --audit-events 10000000   # the full size
    .venv/bin/python -m bench.reports --cases 20000 --audit-events 100000 --no-append  # a quick look
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

if __package__ in (None, ""):  # `python bench/reports.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    DEFAULT_PG_ADMIN_URL,
    append_results,
    machine_facts,
    markdown_table,
    sqlalchemy_url,
    throwaway_postgres,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 4, 1, 10, 0, tzinfo=SHANGHAI)
PASSWORD = "bench-only"
CHANNELS = "ARRAY['walk_in','grid','hotline_12345','police','petition','court','follow_up']"
CATEGORIES = ("ARRAY['marriage_family','neighbour','housing_land','contract','business','damages',"
              "'forest_land','requisition','pollution','labour','consumer','medical','traffic',"
              "'property_service','other']")
# received_at spreads over the twelve months before NOW (stored as naive UTC, like the app).
CASES_SQL = f"""
INSERT INTO dispute_case (code, title, narrative, channel, category, risk_tier, amount, people_count,
    org_unit_id, address, received_at, status, route, level, due_estimated, updated_at)
SELECT 'B-' || lpad(g::text, 8, '0'), '纠纷' || g, '-', ({CHANNELS})[1 + g %% 7],
    ({CATEGORIES})[1 + (g / 7) %% 15], (ARRAY['red','orange','yellow','blue'])[1 + g %% 4], 0, 2,
    (%(grids)s::int[])[1 + (g::bigint * 7919) %% %(ngrids)s], '',
    TIMESTAMP '2025-03-31 16:00' + ((g::bigint * 104729) %% 31536000) * INTERVAL '1 second',
    CASE WHEN g %% 10 < 8 THEN 'closed' WHEN g %% 10 = 8 THEN 'in_progress' ELSE 'unresolved' END,
    (ARRAY['on_the_spot','four_levels','department_window','whistle','referral'])[1 + g %% 5],
    CASE WHEN g %% 5 = 1 THEN (ARRAY['网格员','村调委会','乡镇综治中心','乡镇党委政府'])[1 + g %% 4] END,
    false, TIMESTAMP '2026-04-01 00:00'
FROM generate_series(1, %(n)s) g
"""
INSTANCES_SQL = """
INSERT INTO process_instance (id, deployment_id, process_id, business_key, org_unit_id, status, state,
    version, created_at, updated_at)
SELECT 'pi-' || c.id, %(deployment)s, 'dispute', c.code, c.org_unit_id,
    CASE WHEN c.status = 'in_progress' THEN 'running' ELSE 'completed' END, '{}', 1, c.received_at,
    c.received_at
FROM dispute_case c
"""
# One completed task per case (a quarter late), and an open task for every case in progress.
TASKS_SQL = """
INSERT INTO human_task (id, instance_id, process_id, business_key, bpmn_id, title, lane,
    candidate_department_id, candidate_org_unit_id, candidate_role, state, created_at, due_at,
    completed_at, warn_at)
SELECT 't1-' || c.id, 'pi-' || c.id, 'dispute', c.code, 'on_the_spot', '中心当场调解', '乡镇综治中心',
    CASE WHEN c.id %% 3 = 0 THEN %(department)s END, CASE WHEN c.id %% 3 <> 0 THEN c.org_unit_id END,
    CASE WHEN c.id %% 3 <> 0 THEN 'mediator' END, 'completed', c.received_at,
    c.received_at + INTERVAL '2 days', c.received_at + (c.id %% 4) * INTERVAL '1 day',
    c.received_at + INTERVAL '32 hours'
FROM dispute_case c
UNION ALL
SELECT 't2-' || c.id, 'pi-' || c.id, 'dispute', c.code, 'level_mediation', '本级调解', '网格员', NULL,
    c.org_unit_id, 'grid_worker', 'ready', c.received_at, c.received_at + INTERVAL '30 days', NULL,
    c.received_at + INTERVAL '20 days'
FROM dispute_case c WHERE c.status = 'in_progress'
"""
AUDIT_SQL = """
INSERT INTO audit_event (at, actor_label, action, instance_id, task_id, summary)
SELECT TIMESTAMP '2025-03-31 16:00' + ((g::bigint * 7919) %% 31536000) * INTERVAL '1 second', '系统',
    (ARRAY['task.created','task.claimed','task.completed','timers.fired','case.opened'])[1 + g %% 5],
    'pi-' || (1 + g %% %(cases)s), 't1-' || (1 + g %% %(cases)s), '{}'
FROM generate_series(1, %(n)s) g
"""
PAGES = [
    ("overdue list, city, page 1", "/supervision/overdue?org_unit_id={city}"),
    ("overdue list, city, labour ≥ 30 days, by code desc",
     "/supervision/overdue?org_unit_id={city}&category=labour&min_days=30&sort=code&descending=true"),
    ("overdue list, county, page 5", "/supervision/overdue?org_unit_id={county}&page=5"),
    ("monthly report 月总结, city", "/reports/view?org_unit_id={city}&kind=monthly&day=2026-03-01"),
    ("monthly report 月总结, county", "/reports/view?org_unit_id={county}&kind=monthly&day=2026-03-01"),
    ("monthly analysis 分析研判报告, city", "/reports/view?org_unit_id={city}&kind=analysis&day=2026-03-01"),
]
HEADERS = ["page", "runs", "p50 ms", "p95 ms", "max ms"]


def _app(url: str):
    from app import create_app  # noqa: PLC0415
    from app.clock import FrozenClock  # noqa: PLC0415

    return create_app({"SQLALCHEMY_DATABASE_URI": sqlalchemy_url(url), "WTF_CSRF_ENABLED": False},
                      clock=FrozenClock(NOW))


def _org(now: datetime) -> dict[str, int]:
    """Demo organisation, a city supervisor and a deployment row; returns ids the SQL needs."""
    from sqlalchemy import select  # noqa: PLC0415

    from app.extensions import db  # noqa: PLC0415
    from app.org.demo import seed_demo  # noqa: PLC0415
    from app.org.models import Department, Membership, OrgLevel, OrgUnit, Role, User  # noqa: PLC0415
    from app.workflow.models import Deployment  # noqa: PLC0415

    seed_demo(now)
    city = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "zy"))
    user = User(username="bench-supervisor", display_name="压测督办", created_at=now)
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.flush()
    db.session.add(Membership(user_id=user.id, org_unit_id=city.id, role=Role.SUPERVISOR))
    deployment = Deployment(process_id="dispute", version=1, content_hash="bench", created_at=now)
    db.session.add(deployment)
    db.session.flush()
    grids = list(db.session.scalars(select(OrgUnit.id).where(OrgUnit.level == OrgLevel.GRID)))
    county = db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == "zy-1"))
    hrss = db.session.scalar(select(Department.id).where(Department.code == "hrss"))
    return {"city": city.id, "county": county, "grids": grids, "deployment": deployment.id,
            "department": hrss}


def generate(url: str, cases: int, audit_events: int) -> tuple[dict[str, int], dict[str, float]]:
    """Migrate, seed, bulk-generate rows with SQL; return ids and seconds per step."""
    import psycopg  # noqa: PLC0415
    from flask_migrate import upgrade  # noqa: PLC0415

    from app.extensions import db  # noqa: PLC0415
    from app.unit_of_work import run_unit  # noqa: PLC0415

    app = _app(url)
    with app.app_context():
        upgrade()
        ids = run_unit(lambda: _org(NOW))
        db.engine.dispose()
    params = {"n": cases, "grids": ids["grids"], "ngrids": len(ids["grids"]), "cases": cases,
              "deployment": ids["deployment"], "department": ids["department"]}
    timings = {}
    with psycopg.connect(url, autocommit=True) as conn:
        for name, sql, extra in (("cases", CASES_SQL, {}), ("instances", INSTANCES_SQL, {}),
                                 ("tasks", TASKS_SQL, {}), ("audit events", AUDIT_SQL, {"n": audit_events})):
            started = time.perf_counter()
            conn.execute(sql, {**params, **extra})
            timings[name] = time.perf_counter() - started
        started = time.perf_counter()
        conn.execute("VACUUM ANALYZE")  # hint bits and visibility map set, as on a settled database
        timings["vacuum"] = time.perf_counter() - started
    return ids, timings


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(url: str, ids: dict[str, int], repeat: int) -> list[list[object]]:
    """Time each page `repeat` times after one warm-up; rows for the results table."""
    app = _app(url)
    rows = []
    with app.app_context():
        client = app.test_client()
        login = client.post("/login", data={"username": "bench-supervisor", "password": PASSWORD})
        assert login.status_code == 302, login.data[:200]
        for name, path in PAGES:
            url_path = path.format(**ids)
            assert client.get(url_path).status_code == 200, url_path
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                response = client.get(url_path)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            rows.append([name, repeat, f"{statistics.median(times):.0f}", f"{_percentile(times, 0.95):.0f}",
                         f"{max(times):.0f}"])
            print(f"{name}: p50 {rows[-1][2]} ms, p95 {rows[-1][3]} ms", flush=True)
    return rows


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000, help="cases (full size: 1,000,000)")
    parser.add_argument("--audit-events", type=int, default=1_000_000,
                        help="audit events (full size: 10,000,000)")
    parser.add_argument("--repeat", type=int, default=10, help="timed requests per page")
    parser.add_argument("--pg-admin-url", default=DEFAULT_PG_ADMIN_URL)
    parser.add_argument("--no-append", action="store_true", help="do not write bench/RESULTS.md")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with throwaway_postgres(args.pg_admin_url) as url:
        ids, timings = generate(url, args.cases, args.audit_events)
        print("generated: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()), flush=True)
        facts = machine_facts(url)
        rows = measure(url, ids, args.repeat)
    table = markdown_table(HEADERS, rows)
    print(f"\n{table}")
    if not args.no_append:
        notes = (f"`python -m bench.reports --cases {args.cases} --audit-events {args.audit_events} "
                 f"--repeat {args.repeat}`: {args.cases:,} cases (one completed task each, an open task "
                 f"for the 10% in progress), {args.audit_events:,} audit events, 48 demo grids; whole "
                 "page requests through the Flask test client as a city supervisor. Generation: "
                 + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items()) + ".")
        append_results("Supervision and reports: page times", facts, table, notes)


if __name__ == "__main__":
    main()
