"""督办单: start a `supervision_order` process for an overdue task and mirror its progress."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from app.audit.services import record
from app.clock import Clock
from app.extensions import db
from app.org.models import Department
from app.supervision.models import OrderStatus, SupervisionOrder
from app.supervision.policies import ORDER_PROCESS
from app.workflow import services as workflow
from app.workflow.models import HumanTask, InstanceStatus, ProcessInstance, TaskState

log = logging.getLogger("onedoor.supervision")
DEPARTMENT_LANE = "承办部门"
ORDER_FIELDS = ("supervision_measure", "supervision_requirement", "overdue_reason", "remedy_measures",
                "expected_on", "review_result", "review_note")
STATUS_BY_TASK = {"issue_order": OrderStatus.ISSUING, "explain_overdue": OrderStatus.EXPLAINING,
                  "review_order": OrderStatus.REVIEWING}


def _explainer(task: HumanTask) -> tuple[str | None, str | None]:
    """Who must write the 逾期说明: the overdue task's department, or its lane's people."""
    if task.candidate_department_id is not None:
        department = db.session.get_one(Department, task.candidate_department_id)
        return department.code, DEPARTMENT_LANE
    return None, task.lane


def _order_data(task: HumanTask, days: int) -> dict[str, Any]:
    department, lane = _explainer(task)
    return {"overdue_task_id": task.id, "overdue_task_title": task.title,
            "overdue_process_id": task.process_id,
            "overdue_due_at": task.due_at.isoformat() if task.due_at else None,
            "overdue_working_days": days, "explain_department": department, "explain_lane": lane}


def open_order(task: HumanTask, org_unit_id: int | None, days: int, clock: Clock) -> SupervisionOrder:
    """Create the order row and start its process; a failure to start is kept on the row, not raised."""
    now = clock.now()
    order = SupervisionOrder(
        task_id=task.id, business_key=task.business_key, task_title=task.title, org_unit_id=org_unit_id,
        department_id=task.candidate_department_id, due_at=task.due_at, overdue_working_days=days,
        status=OrderStatus.ISSUING, created_at=now, updated_at=now, details={})
    db.session.add(order)
    db.session.flush()
    try:
        with db.session.begin_nested():
            instance = workflow.start_instance(ORDER_PROCESS, business_key=task.business_key,
                                               org_unit_id=org_unit_id, data=_order_data(task, days),
                                               clock=clock)
    except Exception as exc:  # noqa: BLE001 - one unstartable order must not stop the sweep
        log.exception("supervision order for task %s could not start", task.id)
        order.status, order.error = OrderStatus.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
        record(now, "supervision.failed", task_id=task.id, summary={"error": order.error})
        db.session.flush()
        return order
    order.instance_id = instance.id
    _refresh(order, instance, {})
    record(now, "supervision.opened", instance_id=instance.id, task_id=task.id,
           summary={"code": task.business_key, "overdue_working_days": days})
    db.session.flush()
    return order


def _refresh(order: SupervisionOrder, instance: ProcessInstance, data: dict[str, Any]) -> None:
    order.details = {**(order.details or {}),
                     **{key: data[key] for key in ORDER_FIELDS if data.get(key) is not None}}
    if instance.status == InstanceStatus.COMPLETED:
        order.status = OrderStatus.CLOSED
        order.closed_at = instance.completed_at
        return
    open_ids = set(db.session.scalars(select(HumanTask.bpmn_id).where(
        HumanTask.instance_id == instance.id, HumanTask.state == TaskState.READY)))
    for bpmn_id, status in STATUS_BY_TASK.items():
        if bpmn_id in open_ids:
            order.status = status


def on_instance_synced(instance: ProcessInstance, data: dict[str, Any], clock: Clock) -> None:
    """Mirror a supervision_order instance into its order row (registered with app.workflow.sync)."""
    if instance.process_id != ORDER_PROCESS:
        return
    order = db.session.scalar(select(SupervisionOrder).where(SupervisionOrder.instance_id == instance.id))
    if order is None:
        return  # the start itself: open_order refreshes once it has the instance id
    _refresh(order, instance, data)
    order.updated_at = clock.now()
