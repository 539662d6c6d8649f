"""Parsed deployments, cached per process.

Safe because deployments never change and a run never changes a parsed spec: the engine
state SpiffWorkflow would hang on a spec at run time is connected when parsing
(`engine.parse_specs`). Any process may therefore run any step of any instance.
"""

import ast
import contextlib
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lxml import etree
from sqlalchemy import select

from app.caches import app_cache
from app.extensions import db
from app.workflow import engine
from app.workflow.forms import compile_validator, parse_form
from app.workflow.helpers import HELPERS, DeadlineRule, bound_rules
from app.workflow.models import DeploymentFile, FileKind
from app.workflow.scripting import DEFAULT_SAFE_NAMES, make_script_engine

_SCRIPT_ENGINE = make_script_engine({**DEFAULT_SAFE_NAMES, **HELPERS})
_CACHE_SIZE = 64
DEADLINE_DECISION = "deadlines"


@dataclass
class LoadedDeployment:
    """A deployment ready to run: parsed specs and its forms."""

    id: int
    process_id: str
    specs: engine.LoadedSpecs
    forms: dict[str, dict[str, Any]] = field(default_factory=dict)
    deadline_rules: dict[str, DeadlineRule] = field(default_factory=dict)
    _validators: dict[tuple[str, date | None], Any] = field(default_factory=dict, repr=False, compare=False)

    def validator(self, form_key: str, today: date | None) -> Any:
        """The compiled validator of one of its forms for submissions on `today`, kept with the
        deployment (a new day compiles anew; yesterday's are dropped)."""
        key = (form_key, today)
        found = self._validators.get(key)
        if found is None:
            if any(day != today for _, day in self._validators):
                self._validators.clear()
            found = self._validators[key] = compile_validator(self.forms[form_key], today)
        return found


class _Cache:
    """A small thread-safe LRU of parsed deployments."""

    def __init__(self, size: int):
        self._size = size
        self._items: OrderedDict[int, LoadedDeployment] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: int) -> LoadedDeployment | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: int, item: LoadedDeployment) -> None:
        with self._lock:
            self._items[key] = item
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()




def _deployments() -> _Cache:
    """The app's parsed deployments (app/caches.py)."""
    return app_cache("workflow.deployments", lambda: _Cache(_CACHE_SIZE))


def script_engine() -> Any:
    """The shared restricted script engine (stateless but for its compile cache)."""
    return _SCRIPT_ENGINE


def load(deployment_id: int, process_id: str) -> LoadedDeployment:
    """Parse (once) and return the deployment's specs and forms."""
    cached = _deployments().get(deployment_id)
    if cached is not None:
        return cached
    files = db.session.scalars(
        select(DeploymentFile).where(DeploymentFile.deployment_id == deployment_id)).all()
    bpmn = {f.name: f.content for f in files if f.kind == FileKind.BPMN}
    dmn = {f.name: f.content for f in files if f.kind == FileKind.DMN}
    forms = {f.name: parse_form(f.content, f.name) for f in files if f.kind == FileKind.FORM}
    loaded = LoadedDeployment(deployment_id, process_id,
                              engine.parse_specs(process_id, bpmn, dmn), forms,
                              parse_deadline_rules(dmn))
    _deployments().put(deployment_id, loaded)
    return loaded


@contextlib.contextmanager
def bound(loaded: LoadedDeployment) -> Iterator[None]:
    """Run engine work with the deployment's deadline table visible to `rule_due`."""
    with bound_rules(loaded.deadline_rules):
        yield


def parse_deadline_rules(dmn: Mapping[str, str]) -> dict[str, DeadlineRule]:
    """Rows of the `deadlines` decision table: rule code → amount, unit and day type.

    Read directly rather than through the DMN engine: every cell of this table is a
    literal, and a helper needs the whole table, not one evaluated row.
    """
    for text in dmn.values():
        root = etree.fromstring(text.encode("utf-8"))
        for decision in root.iter("{*}decision"):
            if decision.get("id") == DEADLINE_DECISION:
                return _deadline_rows(decision)
    return {}


def _deadline_rows(decision: Any) -> dict[str, DeadlineRule]:
    table = decision.find("{*}decisionTable")
    outputs = [output.get("name") for output in table.findall("{*}output")]
    rules = {}
    for row in table.findall("{*}rule"):
        [code] = [ast.literal_eval(cell.findtext("{*}text").strip())
                  for cell in row.findall("{*}inputEntry")]
        values = dict(zip(outputs, (ast.literal_eval(cell.findtext("{*}text").strip())
                                    for cell in row.findall("{*}outputEntry")), strict=True))
        rules[code] = DeadlineRule(int(values["amount"]), values["unit"], values["day_type"])
    return rules


def clear() -> None:
    """Forget every parsed deployment (tests; `pytest --fresh-process` before every transaction)."""
    _deployments().clear()
