"""A draft's dry run: the last N closed cases of its process replayed on the draft.

For each case: the route and due dates it took, and those it would have taken under the
draft, step by step, with the changed due dates picked out. Nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from app.designer.drafts import draft_file_set, get_draft
from app.extensions import db
from app.workflow import engine, replay
from app.workflow.models import InstanceStatus, ProcessInstance
from app.workflow.registry import parse_deadline_rules

DEFAULT_CASES = 20
MAX_CASES = 200


@dataclass(frozen=True)
class DueChange:
    """A step whose due date the draft moves."""

    title: str
    before: datetime | None
    after: datetime | None


@dataclass
class CaseRun:
    """One closed case: what it took, what the draft would take."""

    business_key: str
    before: replay.Route
    after: replay.Route
    changes: list[DueChange] = field(default_factory=list)
    error: str = ""

    @property
    def same_route(self) -> bool:
        """True when the draft sends the case through the same steps."""
        return [s.bpmn_id for s in self.before.steps] == [s.bpmn_id for s in self.after.steps]


def closed_instances(process_id: str, limit: int) -> list[ProcessInstance]:
    """The newest finished instances of a process."""
    return list(db.session.scalars(select(ProcessInstance).where(
        ProcessInstance.process_id == process_id, ProcessInstance.status == InstanceStatus.COMPLETED)
        .order_by(ProcessInstance.completed_at.desc(), ProcessInstance.id).limit(limit)))


def dry_run(draft_id: int, limit: int = DEFAULT_CASES) -> list[CaseRun]:
    """Replay the last `limit` closed cases of the draft's process on the draft."""
    draft = get_draft(draft_id)
    files = draft_file_set(draft)
    specs = engine.parse_specs(draft.process_id, files.bpmn, files.dmn)
    rules = parse_deadline_rules(files.dmn)
    runs = []
    for instance in closed_instances(draft.process_id, max(1, min(limit, MAX_CASES))):
        before = replay.recorded_route(instance)
        seed, steps = replay.submissions(instance)
        try:
            after = replay.replay(specs, rules, seed, instance.created_at, steps)
        except Exception as exc:  # noqa: BLE001 - a draft that fails on real data is the finding
            runs.append(CaseRun(instance.business_key, before, replay.Route(),
                                error=f"按草稿运行出错：{exc}"))
            continue
        runs.append(CaseRun(instance.business_key, before, after, _due_changes(before, after)))
    return runs


def _due_changes(before: replay.Route, after: replay.Route) -> list[DueChange]:
    changes = []
    for old, new in zip(before.steps, after.steps, strict=False):
        if old.bpmn_id != new.bpmn_id:
            break
        if old.due_at != new.due_at:
            changes.append(DueChange(new.title, old.due_at, new.due_at))
    return changes
