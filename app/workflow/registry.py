"""Parsed deployments, cached per process. Deployments never change, so the cache never goes stale."""

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.workflow import engine
from app.workflow.forms import parse_form
from app.workflow.helpers import HELPERS
from app.workflow.models import DeploymentFile, FileKind
from app.workflow.scripting import DEFAULT_SAFE_NAMES, make_script_engine

_SCRIPT_ENGINE = make_script_engine({**DEFAULT_SAFE_NAMES, **HELPERS})
_CACHE_SIZE = 64


@dataclass
class LoadedDeployment:
    """A deployment ready to run: parsed specs and its forms."""

    id: int
    process_id: str
    specs: engine.LoadedSpecs
    forms: dict[str, dict[str, Any]] = field(default_factory=dict)


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


_cache = _Cache(_CACHE_SIZE)


def script_engine() -> Any:
    """The shared restricted script engine (stateless but for its compile cache)."""
    return _SCRIPT_ENGINE


def load(deployment_id: int, process_id: str) -> LoadedDeployment:
    """Parse (once) and return the deployment's specs and forms."""
    cached = _cache.get(deployment_id)
    if cached is not None:
        return cached
    files = db.session.scalars(
        select(DeploymentFile).where(DeploymentFile.deployment_id == deployment_id)).all()
    bpmn = {f.name: f.content for f in files if f.kind == FileKind.BPMN}
    dmn = {f.name: f.content for f in files if f.kind == FileKind.DMN}
    forms = {f.name: parse_form(f.content, f.name) for f in files if f.kind == FileKind.FORM}
    loaded = LoadedDeployment(deployment_id, process_id,
                              engine.parse_specs(process_id, bpmn, dmn), forms)
    _cache.put(deployment_id, loaded)
    return loaded


def clear() -> None:
    """Forget every parsed deployment (tests that drop the database use it)."""
    _cache.clear()
