"""Supervision and report pages on a large data set: overdue list and monthly report, p50/p95.

Generates cases, their process instances and tasks, parties and audit events with
`generate_series` on a throw-away PostgreSQL database (bench/dataset.py, shared with
bench/scale.py; seconds per million rows), then
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
from pathlib import Path

if __package__ in (None, ""):  # `python bench/reports.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import dataset  # noqa: E402
from bench.common import (  # noqa: E402
    DEFAULT_PG_ADMIN_URL,
    append_results,
    machine_facts,
    markdown_table,
    throwaway_postgres,
)

NOW = dataset.NOW
PASSWORD = dataset.PASSWORD
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


def generate(url: str, cases: int, audit_events: int) -> tuple[dict[str, int], dict[str, float]]:
    """Migrate, seed, deploy and bulk-generate rows with SQL (bench/dataset.py, 10% of the cases
    in progress); return ids and seconds per step."""
    ids = dataset.prepare(url)
    timings = dataset.fill(url, ids, cases=cases, open_tasks=cases // 10, audit_events=audit_events)
    return ids, timings


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(url: str, ids: dict[str, int], repeat: int) -> list[list[object]]:
    """Time each page `repeat` times after one warm-up; rows for the results table."""
    app = dataset.app_for(url)
    rows = []
    # No app context held around the requests: each request gets its own `g` (the signed-in
    # user is loaded per request, as in production).
    client = app.test_client()
    login = client.post("/login", data={"username": dataset.SUPERVISOR, "password": PASSWORD})
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
