"""Fixtures for BPMN path tests: the real processes/ and forms/ deployed, and a desk to drive cases."""

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cases import services as cases
from app.cases.models import Case
from app.extensions import db
from app.unit_of_work import run_unit
from app.workflow import engine, services
from app.workflow.models import HumanTask, ProcessInstance, TaskState
from tests.conftest import SHANGHAI

ROOT = Path(__file__).resolve().parents[2]
GRID = "zy-1-1-1-1"  # 甘州区 梁家墩镇 第1村 第1网格


def local(*parts: int) -> datetime:
    """A Shanghai wall-clock time."""
    return datetime(*parts, tzinfo=SHANGHAI)


def end_of(year: int, month: int, day: int) -> datetime:
    """23:59:59 Shanghai time: where every day-based deadline ends."""
    return local(year, month, day, 23, 59, 59)


def intake(**overrides) -> dict:
    """A valid intake form; tests override the routing inputs."""
    data = {
        "title": "邻里排水纠纷", "narrative": "两户因院落排水问题发生争执，要求调解。",
        "channel": "walk_in", "category": "neighbour", "risk_tier": "yellow", "amount": 3000,
        "people_count": 2, "address": "梁家墩镇第1村",
        "parties": [{"name": "张三", "role": "applicant", "id_number": "620702198001011231",
                     "phone": "13912345678"},
                    {"name": "李四", "role": "respondent", "phone": "13887654321"}],
    }
    data.update(overrides)
    return data


def agreement(judicial: bool = False) -> dict:
    """A mediation agreement with the fields of 人民调解法 Art. 29."""
    return {
        "parties": [{"name": "张三", "gender": "male", "age": 46, "residence": "梁家墩镇第1村"},
                    {"name": "李四", "gender": "female", "age": 41, "residence": "梁家墩镇第1村"}],
        "facts": "两户院落排水互相影响，争议排水沟走向。", "responsibility": "双方各负一半责任",
        "terms": "共同出资改建排水沟，费用各半。", "performance_method": "现场施工，村委会监督",
        "performance_deadline": "2026-04-30", "agreement_signed_on": "2025-12-01",  # before every test clock
        "apply_judicial_confirmation": judicial,
    }


def resolved(summary: str = "经调解双方达成协议", judicial: bool = False) -> dict:
    """Form data of a successful mediation."""
    return {"result": "resolved", "summary": summary, "agreement": agreement(judicial)}


class Desk:
    """Drives cases through the service layer as the people in the demo organisation would."""

    def __init__(self, org, clock):
        self.org, self.clock = org, clock

    def open(self, **overrides) -> Case:
        """统一受理 at the window of 梁家墩镇 for a case in GRID."""
        grid = self.org.unit(GRID)
        return run_unit(lambda: cases.open_case(intake(**overrides), org_unit_id=grid.id,
                                                clock=self.clock, actor=self.org.actor("clerk")))

    def case(self, code: str) -> Case:
        """The case, re-read from the database."""
        db.session.expire_all()
        return cases.get_case(code)

    def tasks(self, case: Case) -> list[HumanTask]:
        """Open tasks of every instance of the case (dispute, risk alert), oldest first."""
        db.session.expire_all()
        return list(db.session.scalars(select(HumanTask).where(
            HumanTask.business_key == case.code, HumanTask.state == TaskState.READY)
            .order_by(HumanTask.created_at, HumanTask.bpmn_id)))

    def task(self, case: Case, bpmn_id: str) -> HumanTask:
        """The single open task `bpmn_id` of the case."""
        [task] = [t for t in self.tasks(case) if t.bpmn_id == bpmn_id]
        return task

    def do(self, task: HumanTask, username: str, data: dict) -> None:
        """Claim and complete a task as `username`."""
        actor = self.org.actor(username)
        run_unit(lambda: services.claim_task(task.id, actor=actor, clock=self.clock))
        run_unit(lambda: services.complete_task(task.id, data, actor=actor, clock=self.clock))

    def at(self, moment: datetime) -> None:
        """Move the clock and let the worker fire every due timer."""
        self.clock.set(moment)
        for instance_id in services.due_timer_instances(self.clock, 100):
            run_unit(lambda i=instance_id: services.fire_timers(i, clock=self.clock))

    def instance_data(self, case: Case) -> dict:
        """The process data of the case's dispute instance as it stands now."""
        return services.instance_data(self.instance(case).id)

    def instance(self, case: Case) -> ProcessInstance:
        """The case's dispute instance."""
        db.session.expire_all()
        return db.session.get(ProcessInstance, case.instance_id)


def spec_fingerprint(specs: engine.LoadedSpecs) -> dict:
    """What a run could change on parsed specs: each task spec's links, plain attributes, hooks."""
    from SpiffWorkflow.util.event import Event  # noqa: PLC0415

    found = {}
    for process_spec in (specs.spec, *specs.subprocess_specs.values()):
        for name, task_spec in (process_spec.task_specs if process_spec else {}).items():
            attributes = {}
            for attribute, value in vars(task_spec).items():
                if isinstance(value, Event):
                    attributes[attribute] = (repr(value.hard_subscribers), value.n_subscribers())
                elif isinstance(value, str | int | float | bool | list | tuple | dict | None):
                    attributes[attribute] = repr(value)
            found[process_spec.name, name] = attributes
    return found


@pytest.fixture(autouse=True)
def specs_stay_as_parsed(request, monkeypatch):
    """Every parsed spec must look at the end of a test exactly as it did when parsed.

    Specs are shared by every instance a process runs; a run that changes one leaks into the
    next instance in that process and is missing in every other process.
    """
    parsed = []
    real_parse = engine.parse_specs

    def parse_and_note(*args, **kwargs):
        specs = real_parse(*args, **kwargs)
        parsed.append((specs, spec_fingerprint(specs)))
        return specs

    monkeypatch.setattr(engine, "parse_specs", parse_and_note)
    yield
    if request.node.get_closest_marker("changes_specs"):
        return
    for specs, at_parse in parsed:
        assert spec_fingerprint(specs) == at_parse, f"a run changed the parsed spec of {specs.process_id}"


