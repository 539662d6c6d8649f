"""Starting a deployed process by its id: who may, where, and with what data.

The window's 受理登记 opens a case and its `dispute` process; integrations and process
designers also need to start any deployed process directly (a test run of a new version,
a process that is not a dispute). The rule is the intake rule: a window clerk (综合受理) may
start work at their own unit or below it; a process designer may do so too, for trying a
version out. Start data is plain JSON scalars, bounded, so no start can seed an instance
with more than a form would.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

from app.clock import Clock
from app.errors import Forbidden, ValidationFailed
from app.extensions import db
from app.org.models import OrgUnit, Role
from app.org.services import Actor
from app.workflow import services
from app.workflow.models import ProcessInstance

STARTER_ROLES = frozenset({Role.WINDOW_CLERK, Role.PROCESS_DESIGNER})
MAX_START_KEYS = 50
MAX_START_TEXT = 4000


@dataclass(frozen=True)
class StartedInstance:
    """What a caller needs after a start: the instance and the tasks now open in it."""

    id: str
    process_id: str
    business_key: str
    status: str
    open_task_ids: list[str]


def may_start_at(actor: Actor, unit: OrgUnit) -> bool:
    """True when the actor holds a starter role at `unit` or at one of its ancestors."""
    above = set(unit.ancestor_ids())
    return any(role in STARTER_ROLES and unit_id in above for unit_id, role in actor.unit_roles)


def start_data_problems(data: Mapping[str, Any]) -> dict[str, list[str]]:
    """Field path → problem, for start data that is not a small flat object of scalars."""
    if len(data) > MAX_START_KEYS:
        return {"data": [f"启动数据最多 {MAX_START_KEYS} 项"]}
    problems: dict[str, list[str]] = {}
    for key, value in data.items():
        if not key.isidentifier() or key.startswith("_") or key in ("business_key", "org_unit_id"):
            problems[f"data.{key}"] = ["字段名不合法"]
        elif isinstance(value, str) and len(value) > MAX_START_TEXT:
            problems[f"data.{key}"] = [f"文本最多 {MAX_START_TEXT} 字"]
        elif value is not None and not isinstance(value, str | int | float | bool):
            problems[f"data.{key}"] = ["只接受文本、数字或是非值"]
    return problems


def start_process(process_id: str, *, org_unit_code: str, data: Mapping[str, Any],
                  business_key: str | None, actor: Actor, clock: Clock) -> StartedInstance:
    """Start the newest deployment of `process_id` at the unit, run to the first wait."""
    unit = db.session.scalar(db.select(OrgUnit).where(OrgUnit.code == org_unit_code))
    if unit is None:
        raise ValidationFailed("启动单位不存在", {"org_unit": ["没有这个单位"]})
    if not may_start_at(actor, unit):
        raise Forbidden("只有该单位的综合受理人员或流程设计人员可以启动流程")
    problems = start_data_problems(data)
    if problems:
        raise ValidationFailed("启动数据不合法", problems)
    deployment = services.latest_deployment(process_id)  # a clear 404 before anything is written
    key = business_key or f"{process_id}-{uuid4().hex[:12]}"
    if db.session.scalar(db.select(ProcessInstance.id).where(
            ProcessInstance.business_key == key, ProcessInstance.process_id == process_id)):
        raise ValidationFailed("业务键已被使用", {"business_key": ["同一流程下业务键不能重复"]})
    instance, open_ids = services.start_instance_with_open_tasks(
        process_id, business_key=key, org_unit_id=unit.id, data=dict(data), clock=clock,
        actor=actor, deployment_id=deployment.id)
    return StartedInstance(instance.id, process_id, key, instance.status.value, open_ids)

