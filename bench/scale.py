"""Queries at scale: inbox, case search and overdue list on a city-sized PostgreSQL database.

Fills a throw-away database (migrated to head, Zhangye demo organisation, processes deployed)
with a year of a city's disputes (bench/dataset.py: cases over the 48 demo grids, the newest
in progress with one open task each over departments and township/grid posts, a completed task
per case, two parties per case, audit events), then times the real pages through the Flask
test client (server time only, no network), p50/p95 over `--requests` requests after one
warm-up each, and appends the table with the machine's facts to bench/RESULTS.md.

    .venv/bin/python -m bench.scale                  # full size: 1,000,000 cases, 100,000 open tasks,
                                                     # 10,000,000 audit events (~15 min to generate)
    .venv/bin/python -m bench.scale --cases 1000000 --open-tasks 100000 --audit-events 10000000
    .venv/bin/python -m bench.scale --cases 20000 --open-tasks 2000 --audit-events 200000 --no-append
    .venv/bin/python -m bench.scale --keep           # keep the database and print its URL
    .venv/bin/python -m bench.scale --database-url postgresql://postgres@127.0.0.1:5432/onedoor_bench_x
                                                     # migrate a kept database to head and measure again
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # `python bench/scale.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import dataset  # noqa: E402
from bench.common import (  # noqa: E402
    DEFAULT_PG_ADMIN_URL,
    append_results,
    machine_facts,
    markdown_table,
    throwaway_postgres,
)

HEADERS = ["page", "who", "requests", "p50 ms", "p95 ms", "max ms", "rows"]
GOALS = {"inbox": 20.0, "overdue": 50.0}  # p95 goals in ms, by page family

# (family, page, user, path); paths are formatted with the ids and search values found in the data.
PAGES = [
    ("inbox", "inbox 待办", "hrss", "/"),
    ("inbox", "inbox 待办", "mediator", "/"),
    ("inbox", "inbox 即将超期/已超期", "mediator", "/?tab=due"),
    ("inbox", "inbox 已办", "mediator", "/?tab=done"),
    ("inbox", "inbox 待办, category + risk tier", "mediator", "/?category=labour&risk_tier=red"),
    ("inbox", "inbox 待办, channel", "hrss", "/?channel=hotline_12345"),
    ("inbox", "inbox 待办, search by party name", "mediator", "/?q={party_todo}"),
    ("cases", "case list, page 1", "coordinator", "/cases/"),
    ("cases", "case list, by code", "coordinator", "/cases/?q={code}"),
    ("cases", "case list, by party name", "coordinator", "/cases/?q={party}"),
    ("cases", "case list, by title words", "coordinator", "/cases/?q={title}"),
    ("cases", "case list, in progress, labour", "coordinator", "/cases/?status=in_progress&category=labour"),
    ("cases", "case list, page 1", dataset.SUPERVISOR, "/cases/"),
    ("overdue", "overdue list, page 1", dataset.SUPERVISOR, "/supervision/overdue?org_unit_id={city}"),
    ("overdue", "overdue list, page 1", "supervisor", "/supervision/overdue"),
    ("overdue", "overdue list, labour ≥ 30 days, by code desc", dataset.SUPERVISOR,
     "/supervision/overdue?org_unit_id={city}&category=labour&min_days=30&sort=code&descending=true"),
    ("overdue", "overdue list, page 5", "supervisor", "/supervision/overdue?page=5"),
]
WHO = {"hrss": "department handler (人社局)", "mediator": "township mediator",
       "coordinator": "county coordinator", dataset.SUPERVISOR: "city supervisor",
       "supervisor": "county supervisor"}


def _search_values(url: str, ids: dict) -> dict:
    """A code, party names and title words that exist in the county the demo users work in."""
    import psycopg  # noqa: PLC0415

    with psycopg.connect(url) as conn:
        county = conn.execute("SELECT path FROM org_unit WHERE id = %s", (ids["county"],)).fetchone()[0]
        code, title, case_id = conn.execute(
            "SELECT c.code, c.title, c.id FROM dispute_case c JOIN org_unit u ON u.id = c.org_unit_id "
            "WHERE u.path LIKE %s ORDER BY c.id DESC LIMIT 1 OFFSET 1000", (county + "%",)).fetchone()
        party = conn.execute("SELECT name FROM case_party WHERE case_id = %s ORDER BY id LIMIT 1",
                             (case_id,)).fetchone()[0]
        party_todo = conn.execute(
            "SELECT p.name FROM human_task t JOIN dispute_case c ON c.code = t.business_key "
            "JOIN case_party p ON p.case_id = c.id JOIN membership m ON m.org_unit_id = "
            "t.candidate_org_unit_id AND m.role = t.candidate_role JOIN app_user a ON a.id = m.user_id "
            "WHERE t.state = 'ready' AND a.username = 'mediator' ORDER BY t.id LIMIT 1").fetchone()
    words = title[title.index("（") + 1:title.index("与")] + "与"  # "张伟与": the applicant's name and "与"
    return {**ids, "code": code, "party": party, "title": words,
            "party_todo": party_todo[0] if party_todo else party}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _rows_shown(body: bytes) -> int:
    """Table rows on the page (a rough check that the page shows what it should)."""
    return max(0, body.count(b"<tr") - 1)


def measure(url: str, values: dict, requests: int, only: str = "") -> list[list[object]]:
    """Time each page `requests` times after one warm-up; rows for the results table."""
    from app.org.demo import DEMO_PASSWORD  # noqa: PLC0415

    app = dataset.app_for(url)
    rows = []
    clients = {}  # no app context held around the requests: each request gets its own `g`
    for family, name, user, path in PAGES:
        if only and only not in family:
            continue
        if user not in clients:
            clients[user] = app.test_client()
            password = dataset.PASSWORD if user == dataset.SUPERVISOR else DEMO_PASSWORD
            login = clients[user].post("/login", data={"username": user, "password": password})
            assert login.status_code == 302, (user, login.data[:200])
        client, url_path = clients[user], path.format(**values)
        warm = client.get(url_path)
        assert warm.status_code == 200, (url_path, warm.status_code)
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(url_path)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        p50, p95 = statistics.median(times), _percentile(times, 0.95)
        goal = GOALS.get(family)
        mark = "" if goal is None else (" ✓" if p95 <= goal else f" ✗ (goal ≤ {goal:.0f})")
        rows.append([name, WHO[user], requests, f"{p50:.1f}", f"{p95:.1f}{mark}", f"{max(times):.1f}",
                     _rows_shown(response.data)])
        print(f"{name:48s} {WHO[user]:28s} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms{mark}", flush=True)
    from app.extensions import db  # noqa: PLC0415

    with app.app_context():
        db.engine.dispose()
    return rows


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases (default 1,000,000)")
    parser.add_argument("--open-tasks", type=int, default=100_000,
                        help="cases in progress, one open task each (default 100,000)")
    parser.add_argument("--audit-events", type=int, default=10_000_000,
                        help="audit events (default 10,000,000)")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page (default 50)")
    parser.add_argument("--only", default="", help="measure one family only: inbox, cases or overdue")
    parser.add_argument("--pg-admin-url", default=os.environ.get("PG_ADMIN_URL", DEFAULT_PG_ADMIN_URL))
    parser.add_argument("--database-url", help="measure this already generated database (migrated to "
                                               "head first) instead of generating one; it is kept")
    parser.add_argument("--keep", action="store_true", help="keep the generated database, print its URL")
    parser.add_argument("--no-append", action="store_true", help="do not write bench/RESULTS.md")
    return parser.parse_args(argv)


@contextlib.contextmanager
def _database(args: argparse.Namespace):
    if args.database_url:
        yield args.database_url
        return
    if args.keep:
        import uuid  # noqa: PLC0415

        import psycopg  # noqa: PLC0415

        name = f"onedoor_scale_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.pg_admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        yield args.pg_admin_url.rsplit("/", 1)[0] + "/" + name
        return
    with throwaway_postgres(args.pg_admin_url) as url:
        yield url


def _existing_ids(url: str) -> dict:
    """Ids the pages need, from a database generated earlier (after migrating it to head)."""
    from flask_migrate import upgrade  # noqa: PLC0415

    from app.extensions import db  # noqa: PLC0415

    app = dataset.app_for(url)
    with app.app_context():
        started = time.perf_counter()
        upgrade()
        print(f"migrated to head in {time.perf_counter() - started:.1f} s", flush=True)
        db.engine.dispose()
    import psycopg  # noqa: PLC0415

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")  # as after any large migration: a migration's UPDATEs leave dead rows
        city = conn.execute("SELECT id FROM org_unit WHERE code = 'zy'").fetchone()[0]
        county = conn.execute("SELECT id FROM org_unit WHERE code = 'zy-1'").fetchone()[0]
    return {"city": city, "county": county}


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with _database(args) as url:
        timings: dict[str, float] = {}
        if args.database_url:
            ids = _existing_ids(url)
        else:
            print(f"generating {args.cases:,} cases, {args.open_tasks:,} open tasks, "
                  f"{args.audit_events:,} audit events in {url}", flush=True)
            ids = dataset.prepare(url)
            timings = dataset.fill(url, ids, cases=args.cases, open_tasks=args.open_tasks,
                                   audit_events=args.audit_events)
        sizes = dataset.counts(url)
        print(", ".join(f"{key} {value:,}" for key, value in sizes.items()), flush=True)
        facts = machine_facts(url)
        rows = measure(url, _search_values(url, ids), args.requests, args.only)
        facts["load (1 min) at end"] = f"{os.getloadavg()[0]:.2f}"
        if args.keep:
            print(f"kept: {url}")
    table = markdown_table(HEADERS, rows)
    print(f"\n{table}")
    if not args.no_append:
        command = ("`python -m bench.scale --database-url …` (a database generated earlier, migrated to head)"
                   if args.database_url else
                   f"`python -m bench.scale --cases {args.cases} --open-tasks {args.open_tasks} "
                   f"--audit-events {args.audit_events} --requests {args.requests}`")
        notes = (f"{command}: " + ", ".join(f"{key} {value:,}" for key, value in sizes.items())
                 + "; 48 demo grids, 96 departments; whole-page requests through the Flask test client "
                 "(server time, no network), one warm-up each; p95 goals: inbox ≤ 20 ms, overdue list "
                 "≤ 50 ms.")
        if timings:
            notes += " Generation: " + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items()) + "."
        append_results("Queries at scale: inbox, case search, overdue list", facts, table, notes)


if __name__ == "__main__":
    main()
