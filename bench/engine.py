"""Engine floor vs service: the dispute process's most common route, engine alone and through OneDoor.

The route is 当场调解 (on the spot), the one most simple disputes take (DOMAIN.md, Zhangye practice):
统一受理 → routing table → on_the_spot task resolved → return-visit timer fires after 7 days →
回访 task → 销号 (case closed). Each round runs `--routes` cases of it:

- **engine**: SpiffWorkflow alone, in memory: the same deployed BPMN/DMN and forms, our restricted
  script engine and deadline helpers (working days from the package), no database. The floor.
- **engine + JSON**: the same, plus what any persistent engine must pay: the state serialised
  after every wait and restored before the next step (our spec-less serializer).
- **service, SQLite / PostgreSQL**: the real service calls, each its own unit of work (one
  transaction), as the web and the worker make them: `open_case`, claim + complete the task,
  the timer fired by `fire_timers`, claim + complete the visit. Case record, task rows, audit,
  listeners, optimistic locking: everything the product does.

Reported: ms per route, ms per step (start, 2 task completions, 1 timer = 4 steps) and the
ratio to the engine floor. Goal: service ≤ 3× engine.

    .venv/bin/python -m bench.engine                       # 300 routes per round
    .venv/bin/python -m bench.engine --routes 2000         # the full size
    .venv/bin/python -m bench.engine --routes 50 --no-append --profile service-postgresql
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

if __package__ in (None, ""):  # `python bench/engine.py`
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

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)  # a Monday
STEPS_PER_ROUTE = 4
GRID = "zy-1-1-1-1"

INTAKE = {
    "title": "网购家电退货纠纷", "narrative": "买卖双方就退货运费发生争执，要求调解。",
    "channel": "walk_in", "category": "consumer", "risk_tier": "yellow", "amount": 800,
    "people_count": 2, "address": "梁家墩镇第1村",
    "parties": [{"name": "张三", "role": "applicant", "id_number": "620702198001011231",
                 "phone": "13912345678"},
                {"name": "李四", "role": "respondent", "phone": "13887654321"}],
}
RESOLVED = {
    "result": "resolved", "summary": "经调解双方达成协议",
    "agreement": {
        "parties": [{"name": "张三", "gender": "male", "age": 46, "residence": "梁家墩镇第1村"},
                    {"name": "李四", "gender": "female", "age": 41, "residence": "梁家墩镇第1村"}],
        "facts": "退货运费争议。", "responsibility": "双方各负一半责任", "terms": "运费各半。",
        "performance_method": "当场支付", "performance_deadline": "2026-03-10",
        "agreement_signed_on": "2026-03-02", "apply_judicial_confirmation": False},
}
VISIT = {"state_of_mind": "情绪平稳", "abnormal_behaviour": False, "mediation_opinion": "satisfied",
         "performance": "performed", "new_signs": False}


# --------------------------------------------------------------------------- engine alone

class _Bundle:
    """The deployed files parsed once, as a deployment would be."""

    def __init__(self) -> None:
        from app.workflow import engine, registry  # noqa: PLC0415
        from app.workflow.deploy import read_directories  # noqa: PLC0415
        from app.workflow.forms import parse_form  # noqa: PLC0415

        files = read_directories(ROOT / "processes", ROOT / "forms")
        self.specs = engine.parse_specs("dispute", files.bpmn, files.dmn)
        self.rules = registry.parse_deadline_rules(files.dmn)
        self.forms = {name: parse_form(text, name) for name, text in files.forms.items()}
        self.script_engine = registry.script_engine()


def _engine_route(bundle: _Bundle, clock, persist: bool) -> None:
    """One on-the-spot route in memory; with `persist`, a JSON round trip at every wait."""
    from app.workflow import engine  # noqa: PLC0415
    from app.workflow.forms import validate_submission  # noqa: PLC0415

    def stored(workflow):
        if not persist:
            return workflow
        return engine.deserialize(bundle.specs, engine.serialize(workflow), bundle.script_engine)

    clock.set(START)
    seed = {"title": INTAKE["title"], "channel": "walk_in", "category": "consumer",
            "risk_tier": "yellow", "amount": 800.0, "people_count": 2, "case_status": "in_progress",
            "result": None, "agreement": None, "follow_up": False, "business_key": "ZY-BENCH",
            "org_unit_id": 1}
    validate_submission(bundle.forms["intake.json"], INTAKE)
    workflow = engine.new_workflow(bundle.specs, seed, bundle.script_engine)
    engine.run_engine(workflow)
    workflow = stored(workflow)
    for form, data, moment in (("on_the_spot", RESOLVED, START + timedelta(hours=3)),
                               ("visit", VISIT, START + timedelta(days=12))):
        clock.set(moment)
        if form == "visit":
            engine.fire_timers(workflow)
            workflow = stored(workflow)
        [task] = engine.ready_user_tasks(workflow)
        assert task.bpmn_id == form, task.bpmn_id
        values = validate_submission(bundle.forms[task.properties["formJsonSchemaFilename"]], data)
        engine.complete_user_task(workflow, task.id, values)
        engine.next_timer_due(workflow)
        workflow = stored(workflow)
    assert engine.is_completed(workflow), "route did not finish"
    assert engine.final_data(workflow)["case_status"] == "closed"


def run_engine(routes: int, persist: bool, profiler=None) -> float:
    """Seconds for `routes` on-the-spot routes, engine alone."""
    from app.clock import FrozenClock  # noqa: PLC0415
    from app.workflow import engine, helpers  # noqa: PLC0415

    bundle = _Bundle()
    clock = FrozenClock(START)
    with engine.engine_time(clock), helpers.bound_rules(bundle.rules):
        _engine_route(bundle, clock, persist)  # warm caches (script compile, calendar)
        with _profiling(profiler):
            started = time.perf_counter()
            for _ in range(routes):
                _engine_route(bundle, clock, persist)
            return time.perf_counter() - started


# --------------------------------------------------------------------------- through the service

def _service_app(url: str):
    from app import create_app  # noqa: PLC0415
    from app.clock import FrozenClock  # noqa: PLC0415
    from app.workflow import registry  # noqa: PLC0415

    clock = FrozenClock(START)
    app = create_app({"SQLALCHEMY_DATABASE_URI": sqlalchemy_url(url)}, clock=clock)
    registry.clear()
    with app.app_context():
        migrate_and_seed_demo(clock.now(), note="bench/engine.py")
    return app, clock


class _Desk:
    """The people of the demo organisation working one case, one unit of work per action."""

    def __init__(self, clock) -> None:
        from sqlalchemy import select  # noqa: PLC0415

        from app.extensions import db  # noqa: PLC0415
        from app.org.models import OrgUnit, User  # noqa: PLC0415
        from app.org.services import load_actor  # noqa: PLC0415

        self.clock = clock
        self.grid = db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == GRID))
        users = {u.username: u for u in db.session.scalars(select(User))}
        self.clerk = load_actor(users["clerk"].id)
        self.mediator = load_actor(users["mediator"].id)

    def route(self) -> None:
        from sqlalchemy import select  # noqa: PLC0415

        from app.cases import services as cases  # noqa: PLC0415
        from app.extensions import db  # noqa: PLC0415
        from app.unit_of_work import run_unit  # noqa: PLC0415
        from app.workflow import services  # noqa: PLC0415
        from app.workflow.models import HumanTask, TaskState  # noqa: PLC0415

        self.clock.set(START)
        case = run_unit(lambda: cases.open_case(INTAKE, org_unit_id=self.grid, clock=self.clock,
                                                actor=self.clerk))
        code, instance_id = case.code, case.instance_id
        for bpmn_id, data, moment in (("on_the_spot", RESOLVED, START + timedelta(hours=3)),
                                      ("visit", VISIT, START + timedelta(days=12))):
            self.clock.set(moment)
            if bpmn_id == "visit":
                assert run_unit(lambda: services.fire_timers(instance_id, clock=self.clock))
            task_id = db.session.scalar(select(HumanTask.id).where(
                HumanTask.business_key == code, HumanTask.state == TaskState.READY,
                HumanTask.bpmn_id == bpmn_id))
            assert task_id, f"{code}: no open {bpmn_id} task"
            run_unit(lambda t=task_id: services.claim_task(t, actor=self.mediator, clock=self.clock))
            run_unit(lambda t=task_id, d=data: services.complete_task(
                t, d, actor=self.mediator, clock=self.clock))
        assert cases.get_case(code).status.value == "closed"


STATEMENTS: dict[str, float] = {}
CPU: dict[str, float] = {}


def run_service(url: str, routes: int, profiler=None) -> float:
    """Seconds for `routes` on-the-spot routes through the service layer on `url`.

    Also counts the SQL statements sent per route (into STATEMENTS, by URL scheme).
    """
    from sqlalchemy import event  # noqa: PLC0415

    app, clock = _service_app(url)
    with app.app_context():
        from app.extensions import db  # noqa: PLC0415

        desk = _Desk(clock)
        for _ in range(3):
            desk.route()  # warm the deployment cache, calendar and connection pool
        count = [0]

        def counted(*_args) -> None:
            count[0] += 1

        event.listen(db.engine, "before_cursor_execute", counted)
        with _profiling(profiler):
            started, cpu = time.perf_counter(), time.process_time()
            for _ in range(routes):
                desk.route()
            elapsed = time.perf_counter() - started
        CPU[url.split(":", 1)[0]] = time.process_time() - cpu
        event.remove(db.engine, "before_cursor_execute", counted)
        STATEMENTS[url.split(":", 1)[0]] = count[0] / routes
        db.session.remove()
        db.engine.dispose()
    return elapsed


# --------------------------------------------------------------------------- main

@contextlib.contextmanager
def _profiling(profiler) -> Iterator[None]:
    """Profile the block with `profiler` (a pyinstrument Profiler) when one is given."""
    if profiler is None:
        yield
        return
    profiler.start()
    try:
        yield
    finally:
        profiler.stop()


def _profiler(name: str):
    from pyinstrument import Profiler  # noqa: PLC0415 - a dev dependency, only with --profile

    return Profiler(interval=0.0005)


def _write_profile(profiler, name: str) -> None:
    out = ROOT / "bench" / f"profile-{name}.html"
    out.write_text(profiler.output_html(), encoding="utf-8")
    print(profiler.output_text(unicode=True, color=False, show_all=False)[:8000])
    print(f"profile written to {out}")


def main() -> None:
    """Run the rounds and append the table to bench/RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--routes", type=int, default=300, help="routes per round (default 300)")
    parser.add_argument("--rounds", default="engine,engine-json,service-sqlite,service-postgresql",
                        help="comma-separated rounds to run")
    parser.add_argument("--pg-admin-url", default=DEFAULT_PG_ADMIN_URL)
    parser.add_argument("--profile", default="", help="round to profile with pyinstrument")
    parser.add_argument("--no-append", action="store_true", help="print only, write nothing")
    args = parser.parse_args()
    rounds = [name.strip() for name in args.rounds.split(",") if name.strip()]

    def measure(name: str, run: Callable[..., float]) -> float:
        gc.collect()
        profiler = _profiler(name) if args.profile == name else None
        seconds = run(profiler)
        if profiler is not None:
            _write_profile(profiler, name)
        print(f"{name:22s} {seconds / args.routes * 1000:8.2f} ms/route", flush=True)
        return seconds

    results: dict[str, float] = {}
    pg_facts: dict[str, str] = {}
    for name in rounds:
        if name == "engine":
            results[name] = measure(name, lambda p: run_engine(args.routes, False, p))
        elif name == "engine-json":
            results[name] = measure(name, lambda p: run_engine(args.routes, True, p))
        elif name == "service-sqlite":
            with tempfile.TemporaryDirectory() as folder:
                url = f"sqlite:///{folder}/bench.db"
                results[name] = measure(name, lambda p, u=url: run_service(u, args.routes, p))
        elif name == "service-postgresql":
            with throwaway_postgres(args.pg_admin_url) as url:
                pg_facts = machine_facts(url)
                results[name] = measure(name, lambda p, u=url: run_service(u, args.routes, p))
        else:
            parser.error(f"unknown round {name!r}")
    _report(args, results, pg_facts or machine_facts())


def _report(args, results: dict[str, float], facts: dict[str, str]) -> None:
    floor = results.get("engine")
    labels = {"engine": "SpiffWorkflow alone, in memory",
              "engine-json": "engine + JSON state round trip at each wait",
              "service-sqlite": "OneDoor services, SQLite (file)",
              "service-postgresql": "OneDoor services, PostgreSQL"}
    rows = []
    for name, seconds in results.items():
        per_route = seconds / args.routes * 1000
        ratio = f"{seconds / floor:.2f}×" if floor else "–"
        scheme = {"service-sqlite": "sqlite", "service-postgresql": "postgresql"}.get(name)
        sql = f"{STATEMENTS[scheme]:.0f}" if scheme in STATEMENTS else "–"
        cpu = f"{CPU[scheme] / args.routes * 1000:.2f}" if scheme in CPU else f"{per_route:.2f}"
        rows.append([labels[name], args.routes, f"{per_route:.2f}", cpu,
                     f"{per_route / STEPS_PER_ROUTE:.2f}", f"{args.routes / seconds:.1f}", ratio, sql])
    table = markdown_table(["round", "routes", "ms/route", "our process CPU ms/route", "ms/step",
                            "routes/s", "× engine", "SQL statements/route"], rows)
    print(table)
    if args.no_append:
        return
    append_results(
        "Engine floor vs service: the on-the-spot route", facts, table,
        f"`python -m bench.engine --routes {args.routes}`; one route = open case (start + routing "
        "DMN) → on_the_spot task resolved → return-visit timer fired → 回访 task → 销号; 4 steps "
        "(start, 2 completions, 1 timer); service rounds claim each task in its own transaction "
        "too. \"our process CPU\" is the benchmark process's CPU time (the database server's "
        "work on PostgreSQL is not in it; on SQLite it is). Goal: service ≤ 3× engine.")


if __name__ == "__main__":
    main()
