"""What a task page shows of the case file before and after claiming: the case's facts and
parties, and the earlier steps its form declares in `x-context`.

A form names what its handler must read, so designers control it without code:

    "x-context": [{"title": "前几级调解情况", "steps": ["level_mediation"],
                   "fields": ["result", "summary"], "scope": "case"}]

`steps` are user-task ids of the case's processes; `fields` (optional) narrows what is shown;
`scope` is `case` (any process of the case, the default) or `instance` (the task's own process
instance: a 督办单's own 要求, not those of an earlier order).
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.cases.history import Item, completed_steps
from app.cases.models import Case
from app.cases.routemap import task_places
from app.extensions import db
from app.workflow.models import HumanTask


@dataclass
class Block:
    """One declared piece of context with the steps that filled it."""

    title: str
    items: list[Item]


def declared(schema: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The form's `x-context` declarations (none when the form has no such hint)."""
    return list((schema or {}).get("x-context", []))


def case_of(task: HumanTask) -> Case | None:
    """The case a task belongs to, if its business key is a case code."""
    return db.session.scalar(select(Case).where(Case.code == task.business_key))


def task_context(task: HumanTask, schema: dict[str, Any] | None, *, masked: bool) -> list[Block]:
    """The declared context of `task`, blocks with nothing in them left out."""
    blocks = []
    for spec in declared(schema):
        items = completed_steps(
            task.business_key, masked=masked, bpmn_ids=list(spec.get("steps", [])),
            instance_id=task.instance_id if spec.get("scope") == "instance" else None,
            fields=spec.get("fields"))
        items = [item for item in items if item.task is None or item.task.id != task.id]
        if items:
            blocks.append(Block(str(spec.get("title") or "前序办理情况"), items))
    return blocks


def _sources(task: HumanTask, case: Case | None, user_name: str) -> dict[str, Any]:
    """What a form may be prefilled from (the names `x-prefill` uses)."""
    place = task_places([task]).get(task.id, "")
    sources: dict[str, Any] = {"handler": f"{place} {user_name}".strip(), "user.name": user_name}
    if case is not None:
        sources.update({
            "case.parties": [{"name": p.name} for p in case.parties],
            "case.people_count": case.people_count,
            "case.amount": float(case.amount) if case.amount is not None else None,
            "case.narrative": case.narrative,
        })
    return sources


def prefill(task: HumanTask, case: Case | None, schema: dict[str, Any] | None,
            user_name: str) -> dict[str, Any]:
    """Starting values for the form from what is known, as its `x-prefill` asks:
    `{"reporter": "handler", "agreement.parties": "case.parties"}` (dotted paths nest)."""
    sources = _sources(task, case, user_name)
    values: dict[str, Any] = {}
    for path, source in (schema or {}).get("x-prefill", {}).items():
        if sources.get(source) in (None, "", []):
            continue
        *parents, last = path.split(".")
        node = values
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = sources[source]
    return values
