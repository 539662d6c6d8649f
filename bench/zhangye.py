"""A year of Zhangye: replay a year's volume through the service with a moved clock.

Each simulated day (Shanghai time): 00:00 the timer sweep (the worker's batch function);
08:00 the deadline sweep (预警/催办/督办单, the supervision job); 09:00 the day's 陇情e通 grid
reports (HTTP batch API with an API key), 12345 orders (signed HTTP API) and cases registered
at the windows (`open_case`: walk-ins and 警情/信访/诉前 referrals); 11:30, 15:00 and 17:30
staff claim and complete the open tasks they get to that day (mostly in time, a few late: a
four-levels level then times out and moves up, a department is chased for its report-in);
12:00 another timer sweep. At the end: counts, invariants, database size and the year's
report figures (app/reports), printed and appended to bench/RESULTS.md.

    .venv/bin/python -m bench.zhangye                      # the full year on PostgreSQL
    .venv/bin/python -m bench.zhangye --scale 0.02          # 2% of the volume (a quick run)
    .venv/bin/python -m bench.zhangye --scale 0.001 --database-url sqlite:////tmp/zy.sqlite3
"""

from __future__ import annotations

import argparse
import heapq
import json
import logging
import multiprocessing
import os
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

if __package__ in (None, ""):  # `python bench/zhangye.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import zhangye_people as people  # noqa: E402
from bench.common import (  # noqa: E402
    DEFAULT_PG_ADMIN_URL,
    append_results,
    machine_facts,
    markdown_table,
    migrate_and_seed_demo,
    sqlalchemy_url,
    throwaway_postgres,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
STAFF_PREFIX = "zy-staff-"
BATCH_SIZE = 50
WORK_ROUNDS = ((11, 30), (15, 0), (17, 30))
SWEEPS = ((0, 0, 5), (12, 0, 0))
STEP_SECONDS = 4  # simulated seconds between two completions of a work round
ROUND_SECONDS = 1500  # a round ends within 25 simulated minutes (before the 12:00 sweep)
log = logging.getLogger("bench.zhangye")


def local(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A Shanghai wall-clock moment of `day`."""
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SHANGHAI)


def make_app(url: str, start: datetime):
    """The app on `url` with a frozen clock (the test clock)."""
    from app import create_app  # noqa: PLC0415
    from app.clock import FrozenClock  # noqa: PLC0415

    return create_app({"SQLALCHEMY_DATABASE_URI": sqlalchemy_url(url), "WTF_CSRF_ENABLED": False},
                      clock=FrozenClock(start))


# --------------------------------------------------------------------------- setup

def _create_staff(now: datetime) -> int:
    """One person per post (org unit × role) and per department: whoever a task is offered to."""
    from sqlalchemy import select  # noqa: PLC0415

    from app.extensions import db  # noqa: PLC0415
    from app.org.models import Department, Membership, OrgUnit, Role, User  # noqa: PLC0415

    roles = (Role.WINDOW_CLERK, Role.HANDLER, Role.MEDIATOR, Role.GRID_WORKER, Role.CENTER_COORDINATOR,
             Role.SUPERVISOR)
    posts = [(f"u{unit.id}-{role.value}", {"org_unit_id": unit.id, "role": role})
             for unit in db.session.scalars(select(OrgUnit)) for role in roles]
    posts += [(f"d{dept.id}", {"department_id": dept.id, "role": Role.HANDLER})
              for dept in db.session.scalars(select(Department))]
    for name, membership in posts:
        user = User(username=STAFF_PREFIX + name, display_name=name, created_at=now, password_hash="-")
        db.session.add(user)
        db.session.flush()
        db.session.add(Membership(user_id=user.id, **membership))
    db.session.flush()
    return len(posts)


def prepare(url: str, start: datetime) -> str:
    """Migrate, seed the demo organisation and the calendar, deploy processes/, create the staff
    and the 陇情e通 API key; return the key's secret."""
    from app.api.keys import create_key  # noqa: PLC0415
    from app.extensions import db  # noqa: PLC0415
    from app.unit_of_work import run_unit  # noqa: PLC0415

    app = make_app(url, start)
    with app.app_context():
        migrate_and_seed_demo(start, note="bench/zhangye.py")
        run_unit(lambda: _create_staff(start))
        _, secret = run_unit(lambda: create_key("陇情e通", ["grid"], ["zy"], rate_limit=10**9, now=start))
        db.session.remove()
        db.engine.dispose()
    return secret


# --------------------------------------------------------------------------- one simulating process

@dataclass
class Stats:
    """What one process did and how long each phase took (wall seconds)."""

    counts: Counter = field(default_factory=Counter)
    seconds: Counter = field(default_factory=Counter)

    def add(self, other: Stats) -> None:
        """Sum another process's stats into this one."""
        self.counts.update(other.counts)
        self.seconds.update(other.seconds)


class _Timed:
    def __init__(self, stats: Stats, phase: str):
        self.stats, self.phase = stats, phase

    def __enter__(self):
        self.started = time.perf_counter()

    def __exit__(self, *exc):
        self.stats.seconds[self.phase] += time.perf_counter() - self.started


class _NoBarrier:
    def wait(self, timeout=None):  # noqa: ARG002 - the multiprocessing.Barrier signature
        return 0

    def abort(self):
        return None


@dataclass(frozen=True)
class Config:
    """What every simulating process needs to know."""

    url: str
    key: str
    year: int
    scale: float
    days: int | None
    seed: int
    processes: int


class Replay:
    """Replays the days of the year for the counties of one partition."""

    def __init__(self, app, config: Config, index: int, barrier):
        from sqlalchemy import select  # noqa: PLC0415

        from app.extensions import db  # noqa: PLC0415
        from app.org.models import OrgUnit  # noqa: PLC0415

        self.app, self.config, self.index, self.barrier = app, config, index, barrier
        self.clock = app.extensions["onedoor.clock"]
        self.client = app.test_client()
        self.stats = Stats()
        self.rng = random.Random(f"{config.seed}-people-{index}")
        units = list(db.session.scalars(select(OrgUnit).order_by(OrgUnit.code)))
        self.by_code = {u.code: u for u in units}
        self.grids = [u.code for u in units if u.level.value == "grid"]
        self.mine = {u.id for u in units if self._owns(u.code)}
        self.staff = self._load_staff()
        self.plans: list[tuple[datetime, str]] = []
        self.rows: dict[str, people.TaskRow] = {}
        self.scanned_at: datetime | None = None
        self.redispatch: list[tuple[str, int]] = []
        self.orders: dict[str, dict] = {}

    def _owns(self, code: str) -> bool:
        parts = code.split("-")
        return len(parts) > 1 and (int(parts[1]) - 1) % self.config.processes == self.index

    def _load_staff(self) -> dict:
        from sqlalchemy import select  # noqa: PLC0415

        from app.extensions import db  # noqa: PLC0415
        from app.org.models import User  # noqa: PLC0415
        from app.org.services import load_actor  # noqa: PLC0415

        staff = {}
        for user in db.session.scalars(select(User).where(User.username.startswith(STAFF_PREFIX))):
            actor = load_actor(user.id)
            for dept in actor.department_ids:
                staff[("d", dept)] = actor
            for unit, role in actor.unit_roles:
                staff[("u", unit, role)] = actor
        return staff

    # ---------------------------------------------------------------- the day

    def run(self, volumes: people.Volumes) -> Stats:
        """Every day of `volumes`, then the sweep just after the last one."""
        for number, day in enumerate(volumes.days):
            self.day(day, number, volumes)
            if self.index == 0 and (number % 30 == 29 or number == len(volumes.days) - 1):
                print(f"  {day.isoformat()} done; {dict(self.stats.counts)}", flush=True)
        self.sweep(local(volumes.days[-1] + timedelta(days=1), 0, 0, 5))
        return self.stats

    def day(self, day: date, number: int, volumes: people.Volumes) -> None:
        """One simulated day of the partition."""
        self.sweep(local(day, *SWEEPS[0]))
        if self.index == 0:
            self.supervision(local(day, 8, 0))
        self.barrier.wait()
        self.intake(day, number, volumes)
        self.work(local(day, *WORK_ROUNDS[0]))
        self.sweep(local(day, *SWEEPS[1]))
        for hour, minute in WORK_ROUNDS[1:]:
            self.work(local(day, hour, minute))

    def sweep(self, moment: datetime) -> None:
        """All processes at the same moment: the worker's batches (SKIP LOCKED) until none is due."""
        from app.workflow.worker import sweep  # noqa: PLC0415

        self.barrier.wait()
        self.clock.set(moment)
        with _Timed(self.stats, "timers"):
            while True:
                result = sweep(self.clock, BATCH_SIZE)
                self.stats.counts["timers fired"] += result.fired
                self.stats.counts["timer failures"] += result.failed
                if result.claimed == 0:
                    break
        self.barrier.wait()

    def supervision(self, moment: datetime) -> None:
        """The deadline sweep (预警/催办/督办单), once a day."""
        from app.supervision.notices import sweep_deadlines  # noqa: PLC0415
        from app.unit_of_work import run_unit  # noqa: PLC0415

        self.clock.set(moment)
        with _Timed(self.stats, "supervision"):
            for _ in range(5):
                counts = run_unit(lambda: sweep_deadlines(self.clock), retries=0)
                self.stats.counts["supervision orders"] += counts.orders
                if counts.warnings + counts.chases + counts.orders == 0:
                    break

    # ---------------------------------------------------------------- intake

    def intake(self, day: date, number: int, volumes: people.Volumes) -> None:
        """The day's arrivals for this partition's counties (every process draws the same city-wide day)."""
        rng = random.Random(f"{self.config.seed}-{day.isoformat()}")
        stamp = day.strftime("%Y%m%d")
        grids = [rng.choice(self.grids) for _ in range(volumes.grid_reports[number])]
        disputes = set(rng.sample(range(len(grids)), min(len(grids), volumes.grid_disputes[number])))
        items = [people.grid_report(rng, f"LQ{stamp}{i:06d}", grid, i in disputes)
                 for i, grid in enumerate(grids)]
        self.clock.set(local(day, 9, 0))
        with _Timed(self.stats, "grid reports"):
            self.grid_batches([item for item in items if self._owns(item["grid_code"])])
        orders = [people.hotline_order(rng, f"GS{stamp}{i:05d}", rng.choice(self.grids),
                                       i < volumes.hotline_disputes[number])
                  for i in range(volumes.hotline[number])]
        cases = [(people.window_case(rng, channel), rng.choice(self.grids))
                 for channel, counts in volumes.window.items() for _ in range(counts[number])]
        self.clock.set(local(day, 9, 30))
        with _Timed(self.stats, "12345 orders"):
            self.hotline_orders([o for o in orders if self._owns(o["grid_code"])])
        self.clock.set(local(day, 10, 0))
        with _Timed(self.stats, "window cases"):
            for intake, grid in cases:
                if self._owns(grid):
                    self.open_case(intake, grid)

    def grid_batches(self, items: list[dict]) -> None:
        """POST /api/v1/grid/reports/batch, one request per county (≤ 2,000 items each)."""
        by_county: dict[str, list[dict]] = {}
        for item in items:
            by_county.setdefault(item["grid_code"].split("-")[1], []).append(item)
        headers = {"Authorization": f"Bearer {self.config.key}"}
        for county_items in by_county.values():
            for low in range(0, len(county_items), 2000):
                chunk = county_items[low:low + 2000]
                response = self.client.post("/api/v1/grid/reports/batch", json={"items": chunk},
                                            headers=headers)
                if response.status_code != 200:
                    raise RuntimeError(f"grid batch: {response.status_code} {response.get_data(True)[:500]}")
                body = response.get_json()
                self.stats.counts["grid reports"] += body["created"]
                self.stats.counts["grid reports rejected"] += body["rejected"]
                self.stats.counts["grid batches"] += 1
                self.clock.advance(seconds=30)

    def hotline_orders(self, orders: list[dict]) -> None:
        """POST /api/v1/hotline/orders, signed as the 12345 platform signs it; then yesterday's
        returned orders come back re-dispatched to a neighbouring grid."""
        for order_id, dispatch_no in self.redispatch:
            body = dict(self.orders[order_id], dispatch_no=dispatch_no)
            body["grid_code"] = self._neighbour(body["grid_code"])
            orders.append(body)
        self.redispatch = []
        for body in orders:
            self.orders.setdefault(body["order_id"], body)
            self.post_order(body)
            self.clock.advance(seconds=60)

    def _neighbour(self, grid: str) -> str:
        county = grid.split("-")[1]
        candidates = [g for g in self.grids if g.split("-")[1] == county and g != grid]
        return self.rng.choice(candidates) if candidates else grid

    def post_order(self, body: dict) -> None:
        """One signed 12345 request."""
        from app.channels.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign  # noqa: PLC0415

        data = json.dumps(body, ensure_ascii=False).encode()
        stamp = str(int(self.clock.now().timestamp()))
        headers = {TIMESTAMP_HEADER: stamp,
                   SIGNATURE_HEADER: sign(self.app.config["HOTLINE_SECRET"], stamp, data)}
        response = self.client.post("/api/v1/hotline/orders", data=data, headers=headers,
                                    content_type="application/json")
        if response.status_code not in (200, 201):
            raise RuntimeError(f"12345 order: {response.status_code} {response.get_data(True)[:500]}")
        self.stats.counts["12345 orders"] += 1

    def open_case(self, intake: dict, grid: str) -> None:
        """统一受理 at the township window by its clerk."""
        from app.cases.services import open_case  # noqa: PLC0415
        from app.org.models import Role  # noqa: PLC0415
        from app.unit_of_work import run_unit  # noqa: PLC0415

        unit = self.by_code[grid]
        township = self.by_code["-".join(grid.split("-")[:3])]
        clerk = self.staff[("u", township.id, Role.WINDOW_CLERK)]
        run_unit(lambda: open_case(intake, org_unit_id=unit.id, clock=self.clock, actor=clerk))
        self.stats.counts["window cases"] += 1
        self.clock.advance(seconds=90)

    # ---------------------------------------------------------------- work

    def discover(self) -> None:
        """Read the partition's newly opened tasks and decide when somebody gets to each."""
        from sqlalchemy import select  # noqa: PLC0415

        from app.extensions import db  # noqa: PLC0415
        from app.workflow.models import HumanTask, ProcessInstance, TaskState  # noqa: PLC0415

        query = (select(HumanTask.id, HumanTask.process_id, HumanTask.bpmn_id, HumanTask.lane,
                        HumanTask.form_key, HumanTask.business_key, HumanTask.candidate_department_id,
                        HumanTask.candidate_org_unit_id, HumanTask.candidate_role, HumanTask.created_at,
                        HumanTask.due_at)
                 .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
                 .where(HumanTask.state == TaskState.READY, ProcessInstance.org_unit_id.in_(self.mine)))
        if self.scanned_at is not None:
            query = query.where(HumanTask.created_at >= self.scanned_at - timedelta(seconds=1))
        self.scanned_at = self.clock.now()
        for values in db.session.execute(query):
            if values[0] in self.rows:
                continue
            row = people.TaskRow(*values)
            self.rows[row.id] = row
            heapq.heappush(self.plans, (people.work_moment(self.rng, row), row.id))
            self.stats.counts["tasks opened"] += 1
        db.session.rollback()

    def work(self, moment: datetime) -> None:
        """A work round: every task somebody planned to get to by `moment`, in that order."""
        self.clock.set(moment)
        with _Timed(self.stats, "tasks"):
            self.discover()
            due = []
            while self.plans and self.plans[0][0] <= moment:
                due.append(heapq.heappop(self.plans)[1])
            step = min(STEP_SECONDS, ROUND_SECONDS / max(1, len(due)))
            for n, task_id in enumerate(due):
                self.clock.set(moment + timedelta(seconds=step * n))
                self.do(self.rows.pop(task_id))

    def do(self, row: people.TaskRow) -> None:
        """Claim and complete, as the person the task is offered to (two units, as the inbox does)."""
        from app.errors import Conflict, NotFound  # noqa: PLC0415
        from app.unit_of_work import run_unit  # noqa: PLC0415
        from app.workflow import services  # noqa: PLC0415

        key = ("d", row.department_id) if row.department_id else ("u", row.unit_id, row.role)
        actor = self.staff.get(key)
        if actor is None:
            self.stats.counts["tasks nobody can take"] += 1
            return
        data = people.answer(self.rng, row, self.clock.now().astimezone(SHANGHAI).date())
        try:
            run_unit(lambda: services.claim_task(row.id, actor=actor, clock=self.clock))
            run_unit(lambda: services.complete_task(row.id, data, actor=actor, clock=self.clock))
        except (Conflict, NotFound):  # a timer moved the case on first (the level timed out)
            self.stats.counts["tasks gone before worked"] += 1
            return
        self.stats.counts["tasks completed"] += 1
        if row.bpmn_id == "review_objection" and data.get("upheld"):
            _, order_id, dispatch_no = row.business_key.rsplit("-", 2)
            self.redispatch.append((order_id, int(dispatch_no) + 1))


def simulate(config: Config, index: int, barrier, volumes: people.Volumes) -> Stats:
    """Run one partition in this process."""
    logging.getLogger("onedoor").setLevel(logging.ERROR)
    app = make_app(config.url, local(volumes.days[0], 0))
    with app.app_context():
        replay = Replay(app, config, index, barrier)
        try:
            return replay.run(volumes)
        except BaseException:
            barrier.abort()
            raise
        finally:
            from app.extensions import db  # noqa: PLC0415

            db.session.remove()
            db.engine.dispose()


def _child(config: Config, index: int, barrier, results) -> None:
    volumes = people.Volumes.of(config.year, config.scale, config.days)
    try:
        stats = simulate(config, index, barrier, volumes)
        results.put((index, stats.counts, stats.seconds, None))
    except BaseException as exc:  # report to the parent instead of dying silently
        results.put((index, Counter(), Counter(), f"{type(exc).__name__}: {exc}"))
        raise


def replay_year(config: Config) -> Stats:
    """The replay, in `config.processes` OS processes (in this one when 1)."""
    if config.processes == 1:
        return simulate(config, 0, _NoBarrier(), people.Volumes.of(config.year, config.scale, config.days))
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(config.processes, timeout=3600), context.Queue()
    children = [context.Process(target=_child, args=(config, i, barrier, results))
                for i in range(config.processes)]
    for child in children:
        child.start()
    total, errors = Stats(), []
    for _ in children:
        index, counts, seconds, error = results.get()
        total.add(Stats(counts, seconds))
        if error:
            errors.append(f"process {index}: {error}")
    for child in children:
        child.join()
    if errors:
        raise RuntimeError("; ".join(errors))
    return total


# --------------------------------------------------------------------------- checks and figures

CHECKS_SQL = {
    "running instances with a due timer": """
        SELECT count(*) FROM process_instance WHERE status = 'running' AND next_timer_at <= :now""",
    "running instances with nothing to wake them": """
        SELECT count(*) FROM process_instance p WHERE p.status = 'running'
          AND NOT EXISTS (SELECT 1 FROM human_task t WHERE t.instance_id = p.id AND t.state = 'ready')
          AND (p.next_timer_at IS NULL OR p.next_timer_at <= :now)
          AND NOT EXISTS (SELECT 1 FROM message_subscription m WHERE m.instance_id = p.id)""",
    "open cases without an open task or a pending timer": """
        SELECT count(*) FROM dispute_case c JOIN process_instance p ON p.id = c.instance_id
        WHERE p.status = 'running'
          AND NOT EXISTS (SELECT 1 FROM human_task t WHERE t.instance_id = p.id AND t.state = 'ready')
          AND (p.next_timer_at IS NULL OR p.next_timer_at <= :now)""",
    "cases in progress whose process ended": """
        SELECT count(*) FROM dispute_case c JOIN process_instance p ON p.id = c.instance_id
        WHERE p.status <> 'running' AND c.status IN ('in_progress', 'resolved')""",
    "duplicate timer firings": """
        SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM audit_event
          WHERE action = 'timers.fired' GROUP BY instance_id, at HAVING count(*) > 1) d""",
    # the whistle's 督办 chase is one task per late department, all offered to the county supervisor
    "duplicate open tasks": """
        SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM human_task
          WHERE state = 'ready' AND bpmn_id <> 'supervise'
          GROUP BY instance_id, bpmn_id, candidate_department_id, candidate_org_unit_id, candidate_role
          HAVING count(*) > 1) d""",
    "timer failures (timers.failed)": "SELECT count(*) FROM audit_event WHERE action = 'timers.failed'",
}

COUNTS_SQL = {
    "cases": "SELECT count(*) FROM dispute_case",
    "process instances": "SELECT count(*) FROM process_instance",
    "human tasks": "SELECT count(*) FROM human_task",
    "tasks completed": "SELECT count(*) FROM human_task WHERE state = 'completed'",
    "tasks open at year end": "SELECT count(*) FROM human_task WHERE state = 'ready'",
    "timers fired (audit)": "SELECT count(*) FROM audit_event WHERE action = 'timers.fired'",
    "audit events": "SELECT count(*) FROM audit_event",
    "grid reports": "SELECT count(*) FROM grid_report",
    "12345 orders (dispatches)": "SELECT count(*) FROM hotline_order",
    "supervision orders": "SELECT count(*) FROM supervision_order",
    "deadline notices": "SELECT count(*) FROM deadline_notice",
}

GROUPS_SQL = {
    "cases by route": "SELECT coalesce(route, '-'), count(*) FROM dispute_case GROUP BY 1 ORDER BY 2 DESC",
    "cases by status": "SELECT status, count(*) FROM dispute_case GROUP BY 1 ORDER BY 2 DESC",
    "cases by channel": "SELECT channel, count(*) FROM dispute_case GROUP BY 1 ORDER BY 2 DESC",
    "12345 orders by status": "SELECT status, count(*) FROM hotline_order GROUP BY 1 ORDER BY 2 DESC",
    "grid reports by kind/status": """SELECT kind || '/' || status, count(*) FROM grid_report
                                      GROUP BY 1 ORDER BY 2 DESC""",
    "instances by process": """SELECT process_id || ' ' || status, count(*) FROM process_instance
                                 GROUP BY 1 ORDER BY 1""",
}


def _scalar_map(queries: dict[str, str], now: datetime) -> dict[str, int]:
    from sqlalchemy import text  # noqa: PLC0415

    from app.extensions import db  # noqa: PLC0415

    naive_utc = now.astimezone(UTC).replace(tzinfo=None)  # how UTCDateTime stores it
    return {name: int(db.session.scalar(text(sql), {"now": naive_utc}) or 0) for name, sql in queries.items()}


def _groups() -> dict[str, list[tuple[str, int]]]:
    from sqlalchemy import text  # noqa: PLC0415

    from app.extensions import db  # noqa: PLC0415

    return {name: [(str(k), int(v)) for k, v in db.session.execute(text(sql))]
            for name, sql in GROUPS_SQL.items()}


def database_size(url: str) -> int:
    """Bytes: pg_database_size, or the SQLite file."""
    from sqlalchemy import text  # noqa: PLC0415

    from app.extensions import db  # noqa: PLC0415

    if url.startswith("sqlite"):
        return Path(url.split("///", 1)[1]).stat().st_size
    return int(db.session.scalar(text("SELECT pg_database_size(current_database())")))


def report_figures(year: int, now: datetime) -> dict:
    """The year's and each quarter's indicators for the city (app/reports)."""
    from sqlalchemy import select  # noqa: PLC0415

    from app.clock import FrozenClock  # noqa: PLC0415
    from app.extensions import db  # noqa: PLC0415
    from app.org.models import OrgUnit  # noqa: PLC0415
    from app.reports import indicators, services  # noqa: PLC0415
    from app.reports.periods import Period  # noqa: PLC0415

    city = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "zy"))
    figures = {"year": indicators.compute(city, Period("quarterly", date(year, 1, 1), date(year + 1, 1, 1)))}
    for quarter in range(4):
        report = services.compute(city, "quarterly", date(year, quarter * 3 + 1, 1), FrozenClock(now))
        figures[f"Q{quarter + 1}"] = report["current"]
    return figures


@dataclass
class Outcome:
    """Everything the run reports."""

    counts: dict
    checks: dict
    groups: dict
    figures: dict
    db_bytes: int


def examine(url: str, year: int, end: datetime) -> Outcome:
    """Counts, invariants, database size and report figures, read after the replay."""
    from app.extensions import db  # noqa: PLC0415

    app = make_app(url, end)
    with app.app_context():
        if not url.startswith("sqlite"):
            from sqlalchemy import text  # noqa: PLC0415

            db.session.execute(text("ANALYZE"))
            db.session.commit()
        outcome = Outcome(_scalar_map(COUNTS_SQL, end), _scalar_map(CHECKS_SQL, end), _groups(),
                          report_figures(year, end), database_size(url))
        db.session.remove()
        db.engine.dispose()
    return outcome


# --------------------------------------------------------------------------- output

def _figure_rows(figures: dict) -> list[list[object]]:
    rows = []
    for name, f in figures.items():
        c = f["counts"]
        joint = f["joint"]
        rows.append([name, c["received"], c["resolved"], f["resolution_rate_text"], f["on_time_rate_text"],
                     c["tasks_due"], c["overdue"], f"{joint['received']} / {joint['rate_text']}",
                     c["return_visits"], f["new_signs"], c["in_progress"], c["unresolved"], c["referred"]])
    return rows


FIGURE_HEADERS = ["period", "received", "resolved", "化解率", "on-time rate", "tasks due", "overdue",
                  "joint (吹哨) / rate", "return visits", "follow-ups", "in progress", "unresolved",
                  "referred"]


def _phase_rows(stats: Stats, wall: dict[str, float], scale: float, days_share: float,
                processes: int) -> list[list[object]]:
    items = {"grid reports": stats.counts["grid reports"], "12345 orders": stats.counts["12345 orders"],
             "window cases": stats.counts["window cases"], "tasks": stats.counts["tasks completed"],
             "timers": stats.counts["timers fired"], "supervision": 0}
    rows = []
    for phase, seconds in sorted(stats.seconds.items(), key=lambda kv: -kv[1]):
        n = items.get(phase, 0)
        per = f"{seconds / n * 1000:.1f}" if n else "-"
        full = seconds / processes / scale / days_share / 60
        rows.append([phase, f"{seconds:.1f}", n, per, f"{full:.0f}"])
    rows += [[name, f"{seconds:.1f}", "", "", ""] for name, seconds in wall.items()]
    return rows


PHASE_HEADERS = ["phase", "seconds (sum over processes)", "items", "ms/item",
                 "full year min (÷ processes)"]


def _lines(title: str, pairs) -> str:
    return f"{title}: " + ", ".join(f"{k} {v:,}" for k, v in pairs)


def render(config: Config, stats: Stats, wall: dict[str, float], outcome: Outcome,
           volumes: people.Volumes) -> tuple[str, str]:
    """(tables, notes) for the terminal and RESULTS.md."""
    days_share = len(volumes.days) / (date(config.year + 1, 1, 1) - date(config.year, 1, 1)).days
    replay = wall["replay"]
    steps = stats.counts["window cases"] + stats.counts["12345 orders"] + stats.counts["tasks completed"] \
        + stats.counts["timers fired"] + stats.counts["grid reports"]
    engine_steps = (stats.counts["window cases"] + stats.counts["12345 orders"]
                    + 2 * stats.counts["tasks completed"] + stats.counts["timers fired"])
    extrapolated = replay / config.scale / days_share / 60
    tables = (markdown_table(PHASE_HEADERS, _phase_rows(stats, wall, config.scale, days_share,
                                                         config.processes))
              + "\n\n" + markdown_table(FIGURE_HEADERS, _figure_rows(outcome.figures))
              + "\n\n" + markdown_table(["count", "value"],
                                        [[k, f"{v:,}"] for k, v in outcome.counts.items()])
              + "\n\n" + markdown_table(["invariant", "value (must be 0)"],
                                        [[k, v] for k, v in outcome.checks.items()]))
    notes = [
        f"`python -m bench.zhangye --scale {config.scale} --processes {config.processes}"
        f"{f' --days {config.days}' if config.days else ''}`: {len(volumes.days)} days of {config.year}; "
        f"arrivals {', '.join(f'{k} {v:,}' for k, v in volumes.totals().items())}.",
        f"Replay wall time {replay:.0f} s ({replay / 60:.1f} min) in {config.processes} process(es); "
        f"setup {wall['setup']:.0f} s, checks and reports {wall['examine']:.0f} s. "
        f"Items/s {steps / replay:.0f} (grid reports, orders, cases, completed tasks, fired timers); "
        f"service units/s {engine_steps / replay:.1f} (case and order starts, claims + completions, "
        f"timer fires). Database size {outcome.db_bytes / 2**20:.0f} MiB.",
        f"Linear extrapolation to the full year at scale 1: ≈ {extrapolated:.0f} min "
        f"(goal ≤ 30 min); database ≈ {outcome.db_bytes / config.scale / days_share / 2**30:.1f} GiB.",
        _lines("Run counters", sorted(stats.counts.items())),
        *(_lines(name, pairs) for name, pairs in outcome.groups.items()),
    ]
    return tables, "\n\n".join(notes)


# --------------------------------------------------------------------------- main

def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0,
                        help="share of the yearly volume (default 1: 418,000 grid reports, 23,000 12345 "
                             "orders, ~25,000 disputes)")
    parser.add_argument("--year", type=int, default=2025, help="the simulated year (default 2025)")
    parser.add_argument("--days", type=int, default=None, help="only the first N days of the year")
    parser.add_argument("--processes", type=int, default=None,
                        help="OS processes, each replaying some counties (default 2 on PostgreSQL, "
                             "1 on SQLite)")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--database-url", default=None,
                        help="use this empty database and keep it (sqlite:///… allowed for small scales); "
                             "default: a throw-away PostgreSQL database on --pg-admin-url")
    parser.add_argument("--pg-admin-url", default=os.environ.get("PG_ADMIN_URL", DEFAULT_PG_ADMIN_URL))
    parser.add_argument("--no-append", action="store_true", help="do not write bench/RESULTS.md")
    return parser.parse_args(argv)


def run(url: str, args: argparse.Namespace) -> Outcome:
    """Prepare, replay, examine, print and (unless --no-append) record."""
    processes = args.processes or (1 if url.startswith("sqlite") else 2)
    if url.startswith("sqlite") and processes > 1:
        raise SystemExit("SQLite has no row locks: use --processes 1")
    volumes = people.Volumes.of(args.year, args.scale, args.days)
    print(f"arrivals: {volumes.totals()}", flush=True)
    wall = {}
    started = time.perf_counter()
    key = prepare(url, local(volumes.days[0], 0))
    wall["setup"] = time.perf_counter() - started
    facts = machine_facts(url)
    config = Config(url, key, args.year, args.scale, args.days, args.seed, processes)
    started = time.perf_counter()
    stats = replay_year(config)
    wall["replay"] = time.perf_counter() - started
    started = time.perf_counter()
    outcome = examine(url, args.year, local(volumes.days[-1] + timedelta(days=1), 0, 0, 5))
    wall["examine"] = time.perf_counter() - started
    tables, notes = render(config, stats, wall, outcome, volumes)
    print(f"\n{tables}\n\n{notes}")
    if not args.no_append:
        append_results("A year of Zhangye (replay through the service)", facts, tables, notes)
    return outcome


def main(argv: list[str] | None = None) -> Outcome:
    args = parse_args(argv)
    if args.database_url:
        return run(args.database_url, args)
    with throwaway_postgres(args.pg_admin_url) as url:
        return run(url, args)


if __name__ == "__main__":
    main()
