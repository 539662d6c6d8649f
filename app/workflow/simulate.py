"""Walk a process with sample data and a moved clock, printing tasks, due dates and the path.

Runs against a throw-away SQLite database (a temporary file, deleted afterwards): the demo
organisation is seeded, processes/ and forms/ are deployed, a case is opened, and every open
task is either completed with sample data (from `--data`, else built from its form schema) or,
when asked, left to run past its deadline. The designer's own database is never touched.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select

from app.clock import FrozenClock, local_zone
from app.extensions import db
from app.org.models import ROLE_LABELS, Department, Membership, OrgUnit
from app.org.services import load_actor
from app.unit_of_work import run_unit
from app.workflow import registry, services
from app.workflow.models import HumanTask, InstanceStatus, ProcessInstance, TaskState

WEEKDAYS = "一二三四五六日"
GRID = "zy-1-1-1-1"  # 甘州区 梁家墩镇 第1村 第1网格
# Intake overrides that steer routing.dmn onto each route.
ROUTES: dict[str, dict[str, Any]] = {
    "four_levels": {}, "department_window": {"category": "labour"},
    "whistle": {"risk_tier": "red"}, "referral": {"category": "traffic"},
    "on_the_spot": {"category": "simple", "amount": 0},
}
SAMPLE_INTAKE: dict[str, Any] = {
    "title": "模拟：邻里排水纠纷", "narrative": "两户因院落排水问题发生争执，要求调解。",
    "channel": "walk_in", "category": "neighbour", "risk_tier": "yellow", "amount": 3000,
    "people_count": 2, "address": "梁家墩镇第1村",
    "parties": [{"name": "张三", "role": "applicant"}, {"name": "李四", "role": "respondent"}],
}


@dataclass
class Options:
    """What to simulate."""

    start: datetime
    processes_dir: Path
    forms_dir: Path
    route: str = "four_levels"
    timeout_levels: int = 0
    intake: dict[str, Any] = field(default_factory=dict)
    task_data: dict[str, dict[str, Any]] = field(default_factory=dict)
    max_steps: int = 40
    files: Any = None  # a FileSet to deploy instead of the directories (a designer's draft)


def when(moment: datetime | None) -> str:
    """A Beijing wall-clock time for the printout."""
    if moment is None:
        return "无"
    local = moment.astimezone(local_zone())
    return f"{local:%Y-%m-%d %H:%M}（周{WEEKDAYS[local.weekday()]}）"


# --------------------------------------------------------------------------- sample data

def sample(schema: Mapping[str, Any], today: str) -> Any:
    """A value that satisfies a (simple) JSON Schema: first enum value, minimal strings."""
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type", "string")
    if kind == "object":
        return {name: sample(sub, today) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [sample(schema.get("items", {}), today) for _ in range(schema.get("minItems", 0))]
    simple = {"integer": schema.get("minimum", 1), "number": schema.get("minimum", 1), "boolean": False}
    if kind in simple:
        return simple[kind]
    return _sample_string(schema, today)


def _sample_string(schema: Mapping[str, Any], today: str) -> str:
    if schema.get("format") == "date":
        return today
    if schema.get("format") == "date-time":
        return f"{today}T09:00:00+08:00"
    length = max(schema.get("minLength", 0), 6)
    return ("模拟示例内容" * 20)[:min(length, schema.get("maxLength", length))]


# --------------------------------------------------------------------------- the walk

class Walk:
    """One simulated case: prints as it goes and remembers the path."""

    def __init__(self, options: Options, clock: FrozenClock, echo: Callable[[str], None]):
        self.options, self.clock, self.echo = options, clock, echo
        self.path: list[str] = []
        self.timeouts_left = options.timeout_levels

    def run(self, business_key: str, level: Callable[[], str | None]) -> None:
        """Drive the case until nothing is left to do (or max_steps)."""
        for _ in range(self.options.max_steps):
            tasks = self._open(business_key)
            if not tasks and not self._advance_to_timer(business_key):
                break
            if not tasks:
                continue
            for task in tasks:
                self._print_task(task, level())
            task = tasks[0]
            if self.timeouts_left and task.due_at and self._has_timer(task):
                self.timeouts_left -= 1
                self._time_out(task, level())
            else:
                self._complete(task, level())

    def _open(self, business_key: str) -> list[HumanTask]:
        db.session.expire_all()
        return list(db.session.scalars(select(HumanTask).where(
            HumanTask.business_key == business_key, HumanTask.state == TaskState.READY)
            .order_by(HumanTask.created_at, HumanTask.bpmn_id)))

    def _has_timer(self, task: HumanTask) -> bool:
        instance = db.session.get_one(ProcessInstance, task.instance_id)
        return (instance.next_timer_at is not None and task.due_at is not None
                and instance.next_timer_at <= task.due_at)

    def _print_task(self, task: HumanTask, level: str | None) -> None:
        suffix = f" · 层级 {level}" if level and task.bpmn_id == "level_mediation" else ""
        self.echo(f"[{when(self.clock.now())}] 待办：{task.title}（{task.bpmn_id}）· 泳道 {task.lane or '—'}"
                  f" · 候选 {_candidates(task)} · 期限 {when(task.due_at)}{suffix}")

    def _fire_due(self) -> None:
        for instance_id in services.due_timer_instances(self.clock, 100):
            run_unit(partial(services.fire_timers, instance_id, clock=self.clock))

    def _time_out(self, task: HumanTask, level: str | None) -> None:
        assert task.due_at is not None, "only a task with a deadline times out"
        moment = task.due_at + timedelta(seconds=1)
        self.clock.set(moment)
        self._fire_due()
        label = f"{task.title}（{level}）" if level and task.bpmn_id == "level_mediation" else task.title
        local = moment.astimezone(local_zone())
        self.echo(f"[{when(moment)}] 期满：{label}，时钟推进到 {local:%Y-%m-%d %H:%M:%S}")
        self.path.append(f"{label}·期满")

    def _advance_to_timer(self, business_key: str) -> bool:
        due = db.session.scalar(select(ProcessInstance.next_timer_at).where(
            ProcessInstance.business_key == business_key,
            ProcessInstance.status == InstanceStatus.RUNNING,
            ProcessInstance.next_timer_at.is_not(None)).order_by(ProcessInstance.next_timer_at))
        if due is None:
            return False
        self.clock.set(max(due + timedelta(seconds=1), self.clock.now()))
        self.echo(f"[{when(self.clock.now())}] 等待定时器，时钟推进到 {when(self.clock.now())}")
        self._fire_due()
        return True

    def _complete(self, task: HumanTask, level: str | None) -> None:
        data = self.options.task_data.get(task.bpmn_id)
        if data is None and task.form_key:
            schema = registry.load(db.session.get_one(ProcessInstance, task.instance_id).deployment_id,
                                   task.process_id).forms[task.form_key]
            data = sample(schema, self.clock.now().astimezone(local_zone()).date().isoformat())
        actor = load_actor(_candidate_user(task))
        run_unit(lambda: services.claim_task(task.id, actor=actor, clock=self.clock))
        run_unit(lambda: services.complete_task(task.id, data or {}, actor=actor, clock=self.clock))
        shown = ", ".join(f"{k}={v}" for k, v in (data or {}).items() if not isinstance(v, dict | list))
        shown = f"提交 {shown}" if shown else ""
        self.echo(f"[{when(self.clock.now())}] 办结：{task.title}（{actor.label}）{shown}")
        label = f"{task.title}（{level}）" if level and task.bpmn_id == "level_mediation" else task.title
        self.path.append(label)


def _candidates(task: HumanTask) -> str:
    if task.candidate_department_id:
        return db.session.get_one(Department, task.candidate_department_id).name
    unit = db.session.get(OrgUnit, task.candidate_org_unit_id) if task.candidate_org_unit_id else None
    role = ROLE_LABELS.get(task.candidate_role, "") if task.candidate_role else ""
    return f"{unit.name if unit else '—'} {role}".strip()


def _candidate_user(task: HumanTask) -> int:
    """A demo user who may work the task."""
    user_id = db.session.scalar(select(Membership.user_id).where(or_(
        Membership.department_id == task.candidate_department_id if task.candidate_department_id
        else False,
        (Membership.org_unit_id == task.candidate_org_unit_id) & (Membership.role == task.candidate_role),
    )).limit(1))
    if user_id is None:
        raise RuntimeError(f"演示组织中没有人能办理「{task.title}」（{_candidates(task)}）")
    return user_id


# --------------------------------------------------------------------------- the sandbox

@contextlib.contextmanager
def sandbox(options: Options) -> Iterator[FrozenClock]:
    """A throw-away app and database with the demo org and the processes deployed."""
    from app import create_app  # noqa: PLC0415 - a second app, only for the simulation
    from app.org.demo import seed_demo  # noqa: PLC0415
    from app.workflow.deploy import deploy_files, read_directories  # noqa: PLC0415

    clock = FrozenClock(options.start)
    with tempfile.TemporaryDirectory(prefix="onedoor-simulate-") as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/simulate.sqlite3",
                          "TESTING": True}, clock=clock)
        registry.clear()
        try:
            with app.app_context():
                db.create_all()
                run_unit(lambda: seed_demo(clock.now()))
                files = options.files or read_directories(options.processes_dir, options.forms_dir)
                run_unit(lambda: deploy_files(files, now=clock.now()))
                yield clock
                db.session.remove()
                db.engine.dispose()
        finally:
            registry.clear()


def simulate(options: Options, echo: Callable[[str], None]) -> list[str]:
    """Open a dispute case and walk it; return the path taken."""
    from app.cases import services as cases  # noqa: PLC0415 - the dispute starts with its case record

    with sandbox(options) as clock:
        grid = db.session.execute(select(OrgUnit).where(OrgUnit.code == GRID)).scalar_one()
        intake = {**SAMPLE_INTAKE, **ROUTES.get(options.route, {}), **options.intake}
        echo(f"模拟开始：{when(clock.now())}，路径 {options.route}，期满层级数 {options.timeout_levels}")
        case = run_unit(lambda: cases.open_case(intake, org_unit_id=grid.id, clock=clock))
        echo(f"受理：案件 {case.code}（{intake['title']}）")
        walk = Walk(options, clock, echo)
        walk.run(case.code, lambda: cases.get_case(case.code).level)
        final = cases.get_case(case.code)
        echo("路径：受理 → " + " → ".join(walk.path))
        echo(f"结果：案件状态 {final.status.value}，化解途径 {final.route or '—'}，"
             f"最后层级 {final.level or '—'}，结束时间 {when(clock.now())}")
        return walk.path
