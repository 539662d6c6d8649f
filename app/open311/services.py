"""Open311 GeoReport v2 onto OneDoor: a service is a dispute category, a request is a case.

service_code = category code (e.g. "neighbour"), service_request_id = case code. A request is
opened like any channel's case (统一受理, channel "open311") at the grid given as `address_id`
(or the API key's only org unit). Reading requests shows no personal data: no names, phones,
narrative or address — only the category, status, deadline and the handling unit.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.cases.labels import CATEGORIES
from app.cases.models import CASE_STATUS_LABELS, Case, CaseStatus
from app.channels.intake import receive_case
from app.channels.scope import Scope
from app.clock import Clock
from app.errors import ValidationFailed
from app.extensions import db
from app.org.models import OrgUnit

CHANNEL = "open311"
GROUP = "矛盾纠纷"
OPEN = (CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED)
MAX_LIST = 1000


@dataclass(frozen=True)
class Service:
    """One Open311 service."""

    service_code: str
    service_name: str
    description: str
    metadata: bool = False
    type: str = "realtime"
    keywords: str = ""
    group: str = GROUP


def services() -> list[Service]:
    """Every dispute category as a service."""
    return [Service(code, name, f"{name}类矛盾纠纷，由综治中心统一受理、分类流转", keywords=name)
            for code, name in CATEGORIES.items()]


def _unit(values: Mapping[str, Any], scope: Scope) -> OrgUnit:
    code = values.get("address_id")
    if not code and scope.unit_ids is not None and len(scope.unit_ids) == 1:
        return db.session.get_one(OrgUnit, next(iter(scope.unit_ids)))
    unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == code)) if code else None
    if unit is None:
        raise ValidationFailed("address_id 须为网格或单位编码", {"address_id": ["未知或缺少网格编码"]})
    return unit


def _name(values: Mapping[str, Any]) -> str:
    name = f"{values.get('last_name', '')}{values.get('first_name', '')}".strip()
    return name[:64] or "匿名群众"


def submit(values: Mapping[str, Any], *, scope: Scope, clock: Clock, duplicate_window_days: int) -> Case:
    """POST requests: open a case for the request; the case code is the service_request_id."""
    if values["service_code"] not in CATEGORIES:
        raise ValidationFailed("service_code 不存在", {"service_code": ["未知的服务编码"]})
    unit = _unit(values, scope)
    description = values["description"].strip()
    party = {"name": _name(values), "role": "applicant"}
    if values.get("phone"):
        party["phone"] = values["phone"]
    intake = {"title": description[:40], "narrative": description, "channel": CHANNEL,
              "category": values["service_code"], "risk_tier": "blue", "people_count": 1,
              "address": (values.get("address_string") or "")[:200], "parties": [party],
              "external_ref": (values.get("device_id") or values.get("account_id") or None)}
    return receive_case({k: v for k, v in intake.items() if v is not None}, unit.code, scope=scope,
                        clock=clock, duplicate_window_days=duplicate_window_days)


def find(*, ids: list[str] | None, service_code: str | None, start: datetime | None, end: datetime | None,
         status: str | None, scope: Scope) -> list[Case]:
    """GET requests: by ids, or by category, date range and open/closed, within the key's units."""
    query = select(Case).order_by(Case.received_at.desc()).limit(MAX_LIST)
    units = scope.units_query()
    if units is not None:
        query = query.where(Case.org_unit_id.in_(units))
    if ids:
        query = query.where(Case.code.in_(ids))
    if service_code:
        query = query.where(Case.category == service_code)
    if start:
        query = query.where(Case.received_at >= start)
    if end:
        query = query.where(Case.received_at <= end)
    if status == "open":
        query = query.where(Case.status.in_(OPEN))
    elif status == "closed":
        query = query.where(Case.status.not_in(OPEN))
    return list(db.session.scalars(query))


def describe(case: Case, unit_names: Mapping[int, str]) -> dict[str, Any]:
    """A case as an Open311 service request (no personal data)."""
    return {"service_request_id": case.code, "status": "open" if case.status in OPEN else "closed",
            "status_notes": CASE_STATUS_LABELS[case.status],
            "service_name": CATEGORIES.get(case.category, ""),
            "service_code": case.category, "description": case.title,
            "agency_responsible": case.handling_department or unit_names.get(case.org_unit_id, ""),
            "service_notice": "", "requested_datetime": _iso(case.received_at),
            "updated_datetime": _iso(case.updated_at), "expected_datetime": _iso(case.current_due_at),
            "address": "", "address_id": "", "zipcode": "", "lat": "", "long": "", "media_url": ""}


def _iso(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else ""


def unit_names(cases: list[Case]) -> dict[int, str]:
    """Names of the cases' org units, one query."""
    ids = {c.org_unit_id for c in cases}
    return dict(db.session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(ids))).all()) \
        if ids else {}
