"""Report services: compute a report on demand, scheduled snapshots, issue (签发) immutably."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.audit.services import record
from app.clock import Clock, local_zone
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.org.models import OrgLevel, OrgUnit
from app.org.services import Actor
from app.reports import analysis, indicators
from app.reports.models import IssuedReport, ReportSnapshot
from app.reports.periods import KINDS, Period, last_closed, period_containing
from app.supervision.access import Scope

log = logging.getLogger("onedoor.reports")
SNAPSHOT_LEVELS = (OrgLevel.CITY, OrgLevel.COUNTY, OrgLevel.TOWNSHIP)
SNAPSHOTS_PER_RUN = 50
MIN_RECOMMENDATIONS = 10


def title_of(unit_name: str, period: Period) -> str:
    """'甘州区2026年3月平安形势分析研判报告', '张掖市2026年第1季度季汇报' …"""
    return f"{unit_name}{period.label()}{KINDS[period.kind]}"


def compute(unit: OrgUnit, kind: str, day: date, clock: Clock) -> dict[str, Any]:
    """A report of `unit`'s subtree for the period of `kind` containing `day`, computed now."""
    period = period_containing(kind, day)
    report = indicators.build(unit, period, clock.now())
    if kind == "analysis":
        report["analysis"] = analysis.analyse(unit, period, report)
    return report


# --------------------------------------------------------------------------- schedule

def generate_snapshots(clock: Clock) -> int:
    """Worker job: the last closed period of every kind for every city/county/township, once each.

    Safe to run twice and with several workers: a snapshot is unique per kind, unit and
    period and is inserted under a savepoint; at most SNAPSHOTS_PER_RUN are made per run.
    """
    now, made = clock.now(), 0
    units = db.session.scalars(select(OrgUnit).where(OrgUnit.level.in_(SNAPSHOT_LEVELS))
                               .order_by(OrgUnit.path)).all()
    for kind in KINDS:
        period = last_closed(kind, now)
        done = set(db.session.scalars(select(ReportSnapshot.org_unit_id).where(
            ReportSnapshot.kind == kind, ReportSnapshot.period_start == period.start)))
        for unit in units:
            if made >= SNAPSHOTS_PER_RUN:
                return made
            if unit.id not in done and _snapshot(unit, kind, period, clock):
                made += 1
    return made


def _snapshot(unit: OrgUnit, kind: str, period: Period, clock: Clock) -> bool:
    report = compute(unit, kind, period.start, clock)
    try:
        with db.session.begin_nested():
            db.session.add(ReportSnapshot(kind=kind, org_unit_id=unit.id, period_start=period.start,
                                          period_end=period.end, generated_at=clock.now(),
                                          indicators=report))
            db.session.flush()
    except IntegrityError:
        return False
    return True


def snapshots_in(scope: Scope, limit: int = 60) -> list[ReportSnapshot]:
    """The newest scheduled snapshots of units in the scope."""
    return list(db.session.scalars(select(ReportSnapshot).where(
        ReportSnapshot.org_unit_id.in_(scope.unit_ids()))
        .order_by(ReportSnapshot.period_start.desc(), ReportSnapshot.kind, ReportSnapshot.org_unit_id)
        .limit(limit)))


def get_snapshot(scope: Scope, snapshot_id: int) -> ReportSnapshot:
    """A snapshot of a unit in the scope."""
    snapshot = db.session.get(ReportSnapshot, snapshot_id)
    if snapshot is None:
        raise NotFound("报表不存在")
    _check_unit(scope, snapshot.org_unit_id)
    return snapshot


# --------------------------------------------------------------------------- issuing

def check_issuable(kind: str, day: date, clock: Clock, as_of_mark: bool) -> None:
    """A period is issued once it has ended; before that only as an explicit 「截至」 report."""
    period = period_containing(kind, day)
    if clock.now() < period.ends_at and not as_of_mark:
        hint = f"{period.label()}尚未结束，期满后才能签发；如需签发阶段性报告，请勾选「截至当前时间签发」"
        raise ValidationFailed(hint, {"as_of": [hint]})


def as_of_suffix(kind: str, day: date, now: datetime) -> str:
    """'（截至3月15日10时）' for a period still running at `now`, else ''."""
    if now >= period_containing(kind, day).ends_at:
        return ""
    local = now.astimezone(local_zone())
    return f"（截至{local.month}月{local.day}日{local.hour}时）"


def issue(unit_id: int, kind: str, day: date, *, report: dict[str, Any], html: str,
          recommendations: str, actor: Actor, clock: Clock, as_of_mark: bool = False) -> IssuedReport:
    """签发: store the report, the recommendations and the rendered page; never changed afterwards.

    A running period needs `as_of_mark`: the report is then titled 「截至…」 and is the period's
    one issue (issued reports are unique per unit, kind and period).
    """
    check_issuable(kind, day, clock, as_of_mark)
    period = period_containing(kind, day)
    recommendations = (recommendations or "").strip()
    if kind == "analysis" and len(recommendations) < MIN_RECOMMENDATIONS:
        raise ValidationFailed("签发前请填写对策建议", {"recommendations": [
            f"「对策建议」至少需要 {MIN_RECOMMENDATIONS} 个字"]})
    unit = db.session.get_one(OrgUnit, unit_id)
    row = IssuedReport(kind=kind, org_unit_id=unit_id, period_start=period.start, period_end=period.end,
                       title=title_of(unit.name, period) + as_of_suffix(kind, day, clock.now()),
                       indicators=report,
                       recommendations=recommendations, html=html, issued_by_id=actor.user_id,
                       issued_by_label=actor.label, issued_at=clock.now())
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError as exc:
        raise Conflict("该期报告已经签发，签发后的报告不能修改") from exc
    record(clock.now(), "report.issued", actor_id=actor.user_id, actor_label=actor.label,
           summary={"report_id": row.id, "kind": kind, "org_unit_id": unit_id,
                    "period_start": period.start.isoformat()})
    return row


def issued_in(scope: Scope, limit: int = 100) -> list[IssuedReport]:
    """Issued reports of units in the scope, newest first."""
    return list(db.session.scalars(select(IssuedReport).where(
        IssuedReport.org_unit_id.in_(scope.unit_ids())).order_by(IssuedReport.issued_at.desc())
        .limit(limit)))


def issued_for(unit_id: int, kind: str, day: date) -> IssuedReport | None:
    """The issued report of that unit, kind and period, if any."""
    period = period_containing(kind, day)
    return db.session.scalar(select(IssuedReport).where(
        IssuedReport.org_unit_id == unit_id, IssuedReport.kind == kind,
        IssuedReport.period_start == period.start))


def get_issued(scope: Scope, report_id: int) -> IssuedReport:
    """An issued report of a unit in the scope."""
    row = db.session.get(IssuedReport, report_id)
    if row is None:
        raise NotFound("报告不存在")
    _check_unit(scope, row.org_unit_id)
    return row


def _check_unit(scope: Scope, unit_id: int) -> None:
    if not scope.contains(db.session.get_one(OrgUnit, unit_id)):
        raise Forbidden("该报告不在您的督办范围内")
