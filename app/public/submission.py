"""A citizen submits a dispute from the public pages: the SMS code proves the phone, then 统一受理."""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from app.audit.services import record
from app.cases.models import Case, mask
from app.channels.intake import receive_case
from app.channels.scope import EVERYWHERE
from app.clock import Clock
from app.errors import ValidationFailed
from app.extensions import db
from app.notify.services import Message, Notifier
from app.org.models import OrgLevel, OrgUnit
from app.public.codes import consume

CHANNEL = "self_service"
PURPOSE = "submit"
CITIZEN = "群众（网上自助）"


def public_grids() -> list[tuple[str, str]]:
    """(code, "乡镇 · 村 · 网格") of every grid a citizen may choose."""
    units = {u.id: u for u in db.session.scalars(select(OrgUnit))}
    grids = [u for u in units.values() if u.level == OrgLevel.GRID]

    def label(grid: OrgUnit) -> str:
        names = []
        unit: OrgUnit | None = grid
        while unit is not None and unit.level not in (OrgLevel.CITY, OrgLevel.COUNTY):
            names.append(unit.name)
            unit = units.get(unit.parent_id) if unit.parent_id is not None else None
        return " · ".join(reversed(names))
    return sorted(((g.code, label(g)) for g in grids), key=lambda pair: pair[1])


def _grid(code: str) -> OrgUnit:
    unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if unit is None or unit.level != OrgLevel.GRID:
        raise ValidationFailed("请选择所在网格", {"grid_code": ["请从列表中选择所在网格"]})
    return unit


def intake_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """The intake form of a citizen's submission: the citizen is the applicant; risk set by staff later."""
    parties = [{"name": values["name"], "role": "applicant", "phone": values["phone"]}]
    if values.get("respondent"):
        parties.append({"name": values["respondent"], "role": "respondent"})
    return {"title": values["title"], "narrative": values["narrative"], "channel": CHANNEL,
            "category": values["category"], "risk_tier": "blue", "amount": 0,
            "people_count": values.get("people_count") or len(parties),
            "address": values.get("address", ""), "parties": parties}


def submit_dispute(values: Mapping[str, Any], *, token: str, code: str, secret: str,
                   notifier: Notifier, clock: Clock, duplicate_window_days: int) -> Case:
    """Check the SMS code, open the case at the chosen grid, tell the citizen its code."""
    now = clock.now()
    unit = _grid(values["grid_code"])
    consume(token, values["phone"], code, PURPOSE, secret=secret, now=now)
    case = receive_case(intake_values(values), unit.code, scope=EVERYWHERE, clock=clock,
                        duplicate_window_days=duplicate_window_days)
    record(now, "public.submitted", actor_label=CITIZEN, instance_id=case.instance_id,
           summary={"code": case.code, "phone": mask(values["phone"], 3, 4)})
    notifier.send(Message(
        kind="case_accepted", recipient=values["phone"], key=f"case_accepted:{case.code}", case_id=case.id,
        text=f"【一扇门】您反映的「{case.title}」已受理，案件编码 {case.code}。"
             "凭案件编码和手机号后四位可在网上查询办理进度。"), now)
    db.session.flush()
    return case
