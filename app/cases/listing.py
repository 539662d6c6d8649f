"""The case list: cases the user may see, searched and filtered with indexed SQL.

Newest first (index ix_dispute_case_received_at, declared in app.reports), so a page reads
only as many cases as it shows plus those it skips. The total is counted up to COUNT_LIMIT
(a supervisor sees a million cases; counting them all costs more than the page): beyond it
the list says "2000+ 件" and pages stop there — narrow the search or filters to see older
cases.
"""

import re
from collections.abc import Container, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select, union
from sqlalchemy.orm import aliased
from werkzeug.datastructures import MultiDict

from app.cases import labels
from app.cases.access import visible_condition
from app.cases.models import Case, CaseStatus, Party, RiskTier
from app.channels.duplicates.models import CaseDuplicate
from app.channels.scope import Scope, unit_by_code
from app.clock import local_zone
from app.extensions import db
from app.org.models import OrgUnit
from app.org.services import Actor

PAGE_SIZE = 20
COUNT_LIMIT = 2000
CODE_SHAPE = re.compile(r"^[A-Za-z]+(-[0-9]+)+$")  # ZY-2026-000123: looked up by code alone


@dataclass(frozen=True)
class CaseQuery:
    """Search text and filters: from the web's query string (unknown values are ignored) or
    the API's validated arguments (`from_api`)."""

    q: str = ""
    category: str = ""
    risk_tier: str = ""
    channel: str = ""
    status: str = ""
    page: int = 1
    org_unit: str = ""           # code: the unit and its subtree
    received_from: date | None = None
    received_to: date | None = None  # inclusive, local days
    duplicate: str = ""          # flagged | merged | kept
    per_page: int = 0            # 0: PAGE_SIZE

    @classmethod
    def from_api(cls, args: Mapping[str, Any]) -> "CaseQuery":
        """The API's arguments (validated by its schema)."""
        return cls(q=(args.get("q") or "").strip()[:64], category=args.get("category") or "",
                   risk_tier=args.get("risk_tier") or "", channel=args.get("channel") or "",
                   status=args.get("status") or "", page=args.get("page", 1),
                   org_unit=args.get("org_unit") or "", received_from=args.get("received_from"),
                   received_to=args.get("received_to"), duplicate=args.get("duplicate") or "",
                   per_page=args.get("per_page", 0))

    @classmethod
    def from_args(cls, args: MultiDict[str, str]) -> "CaseQuery":
        """Read and sanitise the query string."""
        def pick(name: str, allowed: Container[str]) -> str:
            value = args.get(name, "")
            return value if value in allowed else ""
        return cls(q=args.get("q", "").strip()[:64],
                   category=pick("category", labels.CATEGORIES),
                   risk_tier=pick("risk_tier", {t.value for t in RiskTier}),
                   channel=pick("channel", labels.CHANNELS),
                   status=pick("status", {s.value for s in CaseStatus}),
                   page=max(1, args.get("page", 1, type=int) or 1))


@dataclass
class CasePage:
    """One page of cases."""

    rows: list[Case]
    total: int
    page: int
    pages: int
    more: bool = False  # more than `total` (= COUNT_LIMIT) cases match
    per_page: int = PAGE_SIZE


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), local_zone())


def _filters(query: CaseQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.q:
        if CODE_SHAPE.match(query.q):
            conditions.append(Case.code == query.q.upper())
        else:
            # The matching ids first (party name by index, titles in one scan), then the page:
            # as an OR per case, a rare name would walk every visible case newest first.
            other = aliased(Case)
            named = select(Party.case_id).where(Party.name == query.q)
            titled = select(other.id).where(other.title.contains(query.q))
            conditions.append(Case.id.in_(union(named, titled)))
    if query.category:
        conditions.append(Case.category == query.category)
    if query.risk_tier:
        conditions.append(Case.risk_tier == RiskTier(query.risk_tier))
    if query.channel:
        conditions.append(Case.channel == query.channel)
    if query.status:
        conditions.append(Case.status == CaseStatus(query.status))
    return conditions + _api_filters(query)


def _api_filters(query: CaseQuery) -> list[ColumnElement[bool]]:
    """The filters only the API offers: unit subtree, received days, duplicate flag."""
    conditions: list[ColumnElement[bool]] = []
    if query.org_unit:
        unit = unit_by_code(query.org_unit)
        conditions.append(Case.org_unit_id.in_(
            select(OrgUnit.id).where(OrgUnit.path.startswith(unit.path))))
    if query.received_from:
        conditions.append(Case.received_at >= _day_start(query.received_from))
    if query.received_to:
        conditions.append(Case.received_at < _day_start(query.received_to + timedelta(days=1)))
    if query.duplicate:
        conditions.append(Case.id.in_(select(CaseDuplicate.case_id)
                                      .where(CaseDuplicate.status == query.duplicate)))
    return conditions


def search_cases(actor: Actor | None, query: CaseQuery, scope: Scope | None = None) -> CasePage:
    """Cases visible to the caller (a user, or an integration key's `scope`) matching `query`,
    newest first: the one search of the web's case list and the API's GET /cases."""
    where = [visible_condition(actor, scope or Scope()), *_filters(query)]
    size = query.per_page or PAGE_SIZE
    matching = select(Case.id).where(*where).limit(COUNT_LIMIT + 1).subquery()
    counted = db.session.scalar(select(func.count()).select_from(matching)) or 0
    total = min(counted, COUNT_LIMIT)
    pages = max(1, -(-total // size))
    page = min(query.page, pages)
    rows = db.session.scalars(select(Case).where(*where).order_by(Case.received_at.desc(), Case.id.desc())
                              .limit(size).offset((page - 1) * size)).all()
    return CasePage(list(rows), total, page, pages, more=counted > COUNT_LIMIT, per_page=size)
