"""吹哨 that cannot stall: only departments with someone to receive the task can be named.

A form field holding department codes declares `"x-staffed-departments": true`. The task page
offers only the departments that serve the case's location (`lanes.department_for`, 轮驻 periods
included) and have an active member; the submission is checked against the same rule in the
service every channel calls, so a named department never gets a task nobody can see.
"""

from collections.abc import Mapping
from copy import deepcopy
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.clock import local_zone
from app.errors import ValidationFailed
from app.extensions import db
from app.inbox import staffing
from app.org import lanes
from app.org.models import Department
from app.workflow.forms import enum_labels
from app.workflow.models import HumanTask, ProcessInstance
from app.workflow.queries import ui_key

HINT = "x-staffed-departments"


def _hinted(schema: dict[str, Any] | None) -> list[str]:
    return [name for name, prop in (schema or {}).get("properties", {}).items() if prop.get(HINT)]


def _receiver(code: str, org_unit_id: int, day) -> Department | None:
    """The department that would receive the task, if someone there can (staffing.can_receive:
    the same rule that moves a department's tasks to the coordinators when it loses its staff)."""
    try:
        department = lanes.department_for(code, org_unit_id, day)
    except lanes.LaneError:
        return None
    return department if staffing.can_receive(department, day) else None


def staffed(task: HumanTask, codes: list[str], now: datetime) -> set[str]:
    """The codes among `codes` whose department for the case's location can receive a task."""
    unit = db.session.scalar(select(ProcessInstance.org_unit_id)
                             .where(ProcessInstance.id == task.instance_id))
    if unit is None:
        return set()
    day = now.astimezone(local_zone()).date()
    return {code for code in codes if _receiver(code, unit, day) is not None}


def narrow(task: HumanTask, schema: dict[str, Any] | None, ui: dict[str, Any],
           now: datetime) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The form and its hints with only receivable departments offered (labels kept aligned)."""
    fields = _hinted(schema)
    if schema is None or not fields:
        return schema, ui
    schema, ui = deepcopy(schema), deepcopy(ui or {})
    for name in fields:
        prop, hints = schema["properties"][name], ui.setdefault(name, {})
        labels = enum_labels(prop, hints)
        items = prop.get("items", prop)
        keep = staffed(task, [str(v) for v in items.get("enum", [])], now)
        items["enum"] = [v for v in items.get("enum", []) if v in keep]
        names = [labels.get(v, v) for v in items["enum"]]
        (hints.setdefault("items", {}) if "items" in prop else hints)["ui:enumNames"] = names
    return schema, ui


def check_submission(task: HumanTask, forms: Mapping[str, Any], values: dict[str, Any],
                     now: datetime) -> None:
    """Refuse, at the field, a named department nobody could receive the task in."""
    schema = forms.get(task.form_key or "")
    if not schema:
        return
    ui = forms.get(ui_key(task.form_key), {}) if task.form_key else {}
    errors: dict[str, list[str]] = {}
    for name in _hinted(schema):
        chosen = [str(v) for v in values.get(name) or []]
        receivable = staffed(task, chosen, now)
        missing = [code for code in chosen if code not in receivable]
        if missing:
            labels = enum_labels(schema["properties"][name], ui.get(name, {}))
            words = "、".join(labels.get(code, "所选部门") for code in missing)
            errors[name] = [f"{words}目前没有可接收任务的人员，请选择其他部门"]
    if errors:
        raise ValidationFailed("所选部门无人接收任务", errors)
