"""12345 work orders: receive (idempotent on order id + dispatch number), follow the hotline_order
process, open the dispute case when a dispute order is signed for, and owe the platform callbacks.

The hotline_order process sets `order_status` (signed / returned / replied / closed); every change
becomes one signed callback in the outbox, keyed `12345:<order>:<dispatch>:<status>`.
"""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from app.audit.services import record
from app.cases.models import Case
from app.channels.hotline.models import HotlineOrder
from app.channels.idempotency import check_same, create_once
from app.channels.intake import intake_form, receive_case
from app.channels.outbox.services import enqueue
from app.channels.scope import EVERYWHERE, unit_by_code
from app.clock import Clock
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.org.lanes import LaneError, department_for
from app.org.services import require_open
from app.workflow import services as workflow

PROCESS = "hotline_order"
TARGET = "hotline_12345"
CONCLUDED_MESSAGE = "hotline_dispute_concluded"
ORDER_TYPES = ("consultation", "help", "complaint", "report", "suggestion")


def find_order(order_id: str, dispatch_no: int) -> HotlineOrder | None:
    """The order received under this id and dispatch number."""
    return db.session.scalar(select(HotlineOrder).where(HotlineOrder.order_id == order_id,
                                                        HotlineOrder.dispatch_no == dispatch_no))


def _intake(values: Mapping[str, Any]) -> dict[str, Any]:
    citizen = {"name": values["citizen"]["name"], "role": "applicant"}
    if values["citizen"].get("phone"):
        citizen["phone"] = values["citizen"]["phone"]
    return intake_form({**values, "narrative": values["content"], "channel": TARGET,
                        "external_ref": values["order_id"],
                        "parties": [citizen, *values.get("respondents", [])]})


def _check_department(code: str | None, unit_id: int) -> None:
    if not code:
        return
    try:
        department_for(code, unit_id)
    except LaneError as exc:
        raise ValidationFailed("指定的承办部门不存在", {"department": [str(exc)]}) from exc


def receive_order(values: Mapping[str, Any], *, clock: Clock) -> tuple[HotlineOrder, bool]:
    """A 12345 order: the existing one for a replay (False), else a new order and its process (True).

    A replay with other content than the order received is refused (409).
    """
    def find() -> HotlineOrder | None:
        return find_order(values["order_id"], values["dispatch_no"])

    found = find()
    if found is None:
        order, created = create_once(lambda: _new_order(values, clock), find)
    else:
        order, created = found, False
    if not created:
        check_same("该工单", _content(order), _sent(values))
        return order, False
    instance = workflow.start_instance(PROCESS, business_key=order.business_key,
                                       org_unit_id=order.org_unit_id, data=_seed(order), clock=clock)
    order.instance_id = instance.id
    record(clock.now(), "hotline.received", actor_label="12345平台", instance_id=instance.id,
           summary={"order_id": order.order_id, "dispatch_no": order.dispatch_no})
    db.session.flush()
    return order, True


def _new_order(values: Mapping[str, Any], clock: Clock) -> HotlineOrder:
    """Check the order and insert its row (flushed: the unique key is claimed here)."""
    unit = require_open(unit_by_code(values["grid_code"], "grid_code"), "grid_code")
    department = values.get("department") or ""
    _check_department(department, unit.id)
    if values["is_dispute"] and not values.get("category"):
        raise ValidationFailed("矛盾纠纷类工单须注明纠纷类别", {"category": ["必填项"]})
    now = clock.now()
    order = HotlineOrder(
        order_id=values["order_id"], dispatch_no=values["dispatch_no"],
        business_key=f"12345-{values['order_id']}-{values['dispatch_no']}",
        order_type=values["order_type"], urgent=values["urgent"], is_dispute=values["is_dispute"],
        title=values["title"], content=values["content"], category=values.get("category"),
        org_unit_id=unit.id, department_code=department or None, status="received",
        intake=_intake(values) if values["is_dispute"] else None, received_at=now, updated_at=now)
    db.session.add(order)
    db.session.flush()
    return order


COMPARED = ("order_type", "urgent", "is_dispute", "title", "content", "category", "department")
INTAKE_COMPARED = ("risk_tier", "amount", "people_count", "address")


def _sent(values: Mapping[str, Any]) -> dict[str, Any]:
    """What a replay is compared on: the order's own fields and, for disputes, its intake."""
    sent = {name: values.get(name) or None for name in COMPARED}
    sent["grid_code"] = values["grid_code"]
    if values["is_dispute"]:
        sent.update(_intake_facts(_intake(values)))
    return sent


def _content(order: HotlineOrder) -> dict[str, Any]:
    stored = {name: getattr(order, name) or None for name in COMPARED if name != "department"}
    stored["department"] = order.department_code
    stored["grid_code"] = _unit_code(order.org_unit_id)
    if order.is_dispute:
        stored.update(_intake_facts(order.intake or {}))
    return stored


def _intake_facts(intake: Mapping[str, Any]) -> dict[str, Any]:
    """The intake of a dispute order by the names the platform sends them under."""
    parties = intake.get("parties") or [None]
    facts = {name: intake.get(name) for name in INTAKE_COMPARED}
    facts.update(citizen=parties[0], respondents=parties[1:])
    return facts


def _seed(order: HotlineOrder) -> dict[str, Any]:
    """Process data: routing facts only, never the citizen's personal data."""
    direct_to_grid = order.is_dispute and not order.department_code
    return {"title": order.title, "order_id": order.order_id, "order_type": order.order_type,
            "urgent": order.urgent, "is_dispute": order.is_dispute,
            "target_department": order.department_code or "",
            "sign_lane": "网格员" if direct_to_grid else "综合受理",
            "sign_rule": "hotline.sign_for_urgent" if order.urgent else "hotline.sign_for",
            "handle_rule": f"hotline.{order.order_type}", "order_status": "received"}


def order_synced(order_key: str, data: Mapping[str, Any], *, clock: Clock, callback_url: str,
                 duplicate_window_days: int) -> None:
    """After a hotline_order step: record a status change, open the case, owe a callback."""
    order = db.session.scalar(select(HotlineOrder).where(HotlineOrder.business_key == order_key))
    status = data.get("order_status")
    if order is None or not status or status == order.status:
        return
    now = clock.now()
    order.status = status
    order.updated_at = now
    if status == "signed" and order.is_dispute and order.case_id is None:
        # the order was accepted while its grid was open: a later retirement does not undo that
        case = receive_case(order.intake or {}, _unit_code(order.org_unit_id), scope=EVERYWHERE,
                            clock=clock, duplicate_window_days=duplicate_window_days,
                            accept_retired=True)
        order.case_id = case.id
    if status == "closed":
        order.satisfaction = data.get("satisfaction")
    enqueue(target=TARGET, url=callback_url, event=status, ref=order.order_id,
            key=f"12345:{order.order_id}:{order.dispatch_no}:{status}",
            payload=callback_payload(order, data, now), now=now, case_id=order.case_id)


def _unit_code(unit_id: int) -> str:
    from app.org.models import OrgUnit  # noqa: PLC0415

    return db.session.get_one(OrgUnit, unit_id).code


def callback_payload(order: HotlineOrder, data: Mapping[str, Any], now) -> dict[str, Any]:
    """What the 12345 platform is told about the order."""
    case_code = db.session.scalar(select(Case.code).where(Case.id == order.case_id)) \
        if order.case_id else None
    payload: dict[str, Any] = {"order_id": order.order_id, "dispatch_no": order.dispatch_no,
                               "event": order.status, "case_code": case_code,
                               "occurred_at": now.isoformat()}
    if order.status == "returned":
        payload["reason"] = data.get("objection_reason")
        payload["opinion"] = data.get("opinion")
    if order.status == "replied":
        outcome = data.get("dispute_outcome") or {}
        payload.update(reply=data.get("reply"), result=outcome.get("result") or data.get("result"))
    if order.status == "closed":
        payload.update(satisfaction=data.get("satisfaction"), visit_note=data.get("visit_note"))
    return payload


def dispute_concluded(case: Case, result: str | None, status: str, *, clock: Clock) -> None:
    """Tell a dispute order's process that its case was concluded (once)."""
    order = db.session.scalar(select(HotlineOrder).where(HotlineOrder.case_id == case.id))
    if order is None or order.dispute_result is not None:
        return
    order.dispute_result = result or status
    try:
        workflow.deliver_message(CONCLUDED_MESSAGE, order.business_key,
                                 {"result": order.dispute_result, "case_status": status,
                                  "case_code": case.code}, clock=clock)
    except NotFound:
        record(clock.now(), "hotline.result_not_delivered", instance_id=order.instance_id,
               summary={"order_id": order.order_id, "case": case.code})
