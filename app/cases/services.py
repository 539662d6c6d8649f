"""Case services: intake (统一受理) with a case code, risk changes, and the process listener.

Services flush and never commit; the caller's unit of work commits once, so the case
row and its dispute process instance are created together or not at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from app.audit.services import record
from app.calendar import schedule_published
from app.cases import access, taskfacts
from app.cases.codes import DEFAULT_PREFIX, next_case_code
from app.cases.models import Case, CaseStatus, Party, RiskTier
from app.channels.duplicates.models import CaseDuplicate
from app.channels.duplicates.services import flags_for
from app.channels.scope import Scope
from app.clock import Clock, local_zone
from app.errors import Forbidden, NotFound
from app.extensions import db
from app.inputs import past_day
from app.org.models import OrgUnit
from app.org.services import Actor
from app.workflow import services as workflow
from app.workflow.forms import validate_submission
from app.workflow.models import HumanTask, ProcessInstance, TaskState

DISPUTE_PROCESS = "dispute"
RISK_ALERT_PROCESS = "risk_alert"
INTAKE_FORM = "intake.json"
RETURN_VISIT_FIELDS = ("state_of_mind", "abnormal_behaviour", "abnormal_detail", "mediation_opinion",
                       "performance", "new_signs", "new_signs_detail")


def open_case(intake: Mapping[str, Any], *, org_unit_id: int, clock: Clock,
              actor: Actor | None = None, parent_id: int | None = None,
              prefix: str = DEFAULT_PREFIX) -> Case:
    """统一受理: validate the intake form, give the case its code and start its dispute process."""
    deployment = workflow.latest_deployment(DISPUTE_PROCESS)
    now = clock.now()
    values = validate_submission(workflow.deployed_form(DISPUTE_PROCESS, INTAKE_FORM, deployment), intake,
                                 today=now.astimezone(local_zone()).date())
    case = Case.received(
        now, code=next_case_code(now.astimezone(local_zone()).year, prefix), title=values["title"],
        narrative=values["narrative"], channel=values["channel"],
        external_ref=values.get("external_ref"), category=values["category"],
        risk_tier=RiskTier(values["risk_tier"]), amount=_amount(values.get("amount")),
        people_count=values["people_count"], org_unit_id=org_unit_id,
        address=values.get("address", ""),
        occurred_on=past_day(values.get("occurred_on"), now.astimezone(local_zone()).date()),
        received_at=now, received_by_id=actor.user_id if actor else None,
        parent_id=parent_id,
        parties=[Party(**party) for party in values["parties"]])
    db.session.add(case)
    db.session.flush()
    instance = workflow.start_instance(DISPUTE_PROCESS, business_key=case.code,
                                       org_unit_id=org_unit_id, data=process_data(case),
                                       clock=clock, actor=actor, deployment_id=deployment.id)
    case.instance_id = instance.id
    if case.risk_tier == RiskTier.RED:
        _raise_alert(case, clock, actor)
    record(now, "case.opened", actor_id=actor.user_id if actor else None,
           actor_label=actor.label if actor else "系统", instance_id=instance.id,
           summary={"code": case.code, "channel": case.channel, "parent_id": parent_id})
    db.session.flush()
    return case


def process_data(case: Case) -> dict[str, Any]:
    """What the dispute process starts with: routing inputs, never personal data."""
    return {"title": case.title, "channel": case.channel, "category": case.category,
            "risk_tier": case.risk_tier.value, "amount": float(case.amount or 0),
            "people_count": case.people_count, "case_status": CaseStatus.IN_PROGRESS.value,
            "result": None, "agreement": None, "follow_up": False}


def _amount(value: Any) -> Decimal | None:
    """The amount involved, or None when it was left blank (not 0.00 元)."""
    return None if value is None or value == "" else Decimal(str(value))


def get_case(code: str) -> Case:
    """The case with `code`."""
    case = db.session.scalar(select(Case).where(Case.code == code))
    if case is None:
        raise NotFound(f"案件 {code} 不存在")
    return case


def viewable_case(code: str, actor: Actor | None, scope: Scope | None = None) -> Case:
    """The case with `code` if the caller (a user, or an integration key's `scope`) may open it:
    the case view of the web page and the API alike. NotFound / Forbidden otherwise."""
    case = get_case(code)
    if not access.may_view(actor, scope or Scope(), case):
        raise Forbidden("您无权查看该案件")
    return case


@dataclass(frozen=True)
class CaseFacts:
    """What a list or detail of cases shows beside the rows: their units and duplicate flags."""

    units: dict[int, OrgUnit]
    flags: dict[int, tuple[CaseDuplicate, str]]


def case_facts(cases: list[Case]) -> CaseFacts:
    """The units and duplicate flags of `cases`, in two queries."""
    units = {u.id: u for u in db.session.scalars(
        select(OrgUnit).where(OrgUnit.id.in_({c.org_unit_id for c in cases})))} if cases else {}
    return CaseFacts(units, flags_for([c.id for c in cases]))


def change_risk_tier(code: str, tier: str, *, clock: Clock, actor: Actor | None = None) -> Case:
    """Change a case's risk tier; raising it to red puts a task in the coordinator's inbox at once."""
    case = get_case(code)
    old, new = case.risk_tier, RiskTier(tier)
    case.risk_tier = new
    case.updated_at = clock.now()
    if new != old:
        taskfacts.restamp(case)
    if new == RiskTier.RED and old != RiskTier.RED:
        _raise_alert(case, clock, actor)
    record(clock.now(), "case.risk_changed", actor_id=actor.user_id if actor else None,
           actor_label=actor.label if actor else "系统", instance_id=case.instance_id,
           summary={"code": code, "from": old.value, "to": new.value})
    db.session.flush()
    return case


def _raise_alert(case: Case, clock: Clock, actor: Actor | None) -> None:
    workflow.start_instance(RISK_ALERT_PROCESS, business_key=case.code, org_unit_id=case.org_unit_id,
                            data={"title": case.title, "risk_tier": case.risk_tier.value},
                            clock=clock, actor=actor)


def follow_ups(case: Case) -> list[Case]:
    """Cases opened from this one's return visit."""
    return list(db.session.scalars(select(Case).where(Case.parent_id == case.id).order_by(Case.id)))


# --------------------------------------------------------------------------- listener

def on_instance_synced(instance: ProcessInstance, data: dict[str, Any], clock: Clock) -> None:
    """Mirror a dispute instance's data into its case (registered with app.workflow.sync)."""
    if instance.process_id != DISPUTE_PROCESS:
        return
    # The case and its current deadline (the earliest open task) in one round trip.
    earliest_due = select(func.min(HumanTask.due_at)).where(
        HumanTask.instance_id == instance.id, HumanTask.state == TaskState.READY).scalar_subquery()
    found = db.session.execute(select(Case, earliest_due).where(
        Case.code == instance.business_key)).first()
    if found is None:
        return
    case, due = found
    case.instance_id = instance.id
    level = case.level
    _mirror(case, data, clock.now())
    if case.level != level:
        taskfacts.restamp(case)  # the inbox filters by level on the task rows
    _set_due(case, due)
    case.updated_at = clock.now()
    if data.get("follow_up") and not follow_ups(case):
        _open_follow_up(case, data, clock)


def _mirror(case: Case, data: dict[str, Any], now: datetime) -> None:
    if data.get("case_status"):
        case.follow_process(data["case_status"], now)
    case.route = data.get("route") or case.route
    case.handling_department = data.get("department") or None
    if data.get("level_name"):
        case.level = data["level_name"]
    case.result = data.get("result") or case.result
    case.next_route = data.get("next_route") or case.next_route
    if data.get("agreement"):
        case.agreement = data["agreement"]
    if "state_of_mind" in data:
        case.return_visit = {key: data.get(key) for key in RETURN_VISIT_FIELDS}


def _set_due(case: Case, due: datetime | None) -> None:
    """The case's current deadline: the earliest open task of its process."""
    case.current_due_at = due
    case.due_estimated = due is not None and not schedule_published(due.astimezone(local_zone()).date())


def _open_follow_up(case: Case, data: dict[str, Any], clock: Clock) -> Case:
    intake = {
        "title": f"{case.title}（回访续案）"[:100],
        "narrative": data.get("new_signs_detail") or f"案件 {case.code} 回访发现新的纠纷苗头",
        "channel": "follow_up", "category": case.category, "risk_tier": case.risk_tier.value,
        "people_count": case.people_count, "address": case.address, "external_ref": case.code,
        "parties": [{key: value for key, value in (("name", p.name), ("role", p.role),
                                                   ("id_number", p.id_number), ("phone", p.phone))
                     if value} for p in case.parties],
        **({"amount": float(case.amount)} if case.amount is not None else {}),
    }
    return open_case(intake, org_unit_id=case.org_unit_id, clock=clock, parent_id=case.id)
