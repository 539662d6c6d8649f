"""The dashboard's figures, each with the list behind it (click-through), over an org subtree.

Plain aggregates over dispute_case and human_task; overdue follows
app/supervision/overdue_facts.py and the rates app/reports/rates.py, so the screen agrees
with 逾期台账 and the reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from app.cases.models import Case, CaseStatus, RiskTier
from app.clock import local_zone
from app.dashboard.models import GridShape
from app.errors import Forbidden
from app.extensions import db
from app.org.models import OrgLevel, OrgUnit, Role
from app.org.services import Actor
from app.reports.analysis import trend
from app.reports.indicators import satisfaction_counts
from app.reports.periods import period_containing
from app.reports.rates import BY_KEY, percent
from app.supervision.access import Scope, units_under
from app.supervision.stats import handler_labels
from app.supervision.warnings import LABELS as WARNING_LABELS
from app.supervision.warnings import warnings_in
from app.vocab import Channel, Route
from app.workflow.models import HumanTask, TaskState

DASHBOARD_ROLES = (Role.CENTER_COORDINATOR, Role.SUPERVISOR)
HEAT_DAYS = 30
LIST_LIMIT = 200
ALERT_TIERS = (RiskTier.RED, RiskTier.ORANGE)


def dashboard_scope(actor: Actor) -> Scope:
    """Units where the actor is a center coordinator or a supervisor; 403 for anyone else."""
    ids = sorted({unit for unit, role in actor.unit_roles if role in DASHBOARD_ROLES})
    if not ids:
        raise Forbidden("只有综治中心调度和督办人员可以查看态势大屏")
    return Scope(tuple(db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)).order_by(OrgUnit.path))))


@dataclass(frozen=True)
class Figure:
    """Which list a click opens: the figure's kind and the key of the bar, slice or grid."""

    kind: str  # intake | open | overdue | risk | grid
    key: str = ""


def _start_of_day(now: datetime) -> datetime:
    return datetime.combine(now.astimezone(local_zone()).date(), time(0), tzinfo=local_zone())


def _cases_in(unit: OrgUnit):
    return Case.org_unit_id.in_(units_under(unit))


def intake_today(unit: OrgUnit, now: datetime) -> list[dict[str, Any]]:
    """Cases received today, by channel."""
    rows = db.session.execute(select(Case.channel, func.count()).where(
        _cases_in(unit), Case.received_at >= _start_of_day(now), Case.received_at < now)
        .group_by(Case.channel)).all()
    return sorted(({"key": c, "label": Channel.label_of(c), "count": n} for c, n in rows),
                  key=lambda r: -r["count"])


def open_by_route(unit: OrgUnit) -> list[dict[str, Any]]:
    """Cases in progress, by route and level ('four_levels:网格员首调')."""
    rows = db.session.execute(select(Case.route, Case.level, func.count()).where(
        _cases_in(unit), Case.status == CaseStatus.IN_PROGRESS).group_by(Case.route, Case.level)).all()
    lines = [{"key": f"{route or ''}:{level or ''}",
              "label": Route.label_of(route) if route else "待分流",
              "level": level or "", "count": n} for route, level, n in rows]
    return sorted(lines, key=lambda r: (-r["count"], r["key"]))


_KEY = (HumanTask.candidate_department_id, HumanTask.candidate_org_unit_id, HumanTask.candidate_role)


def _key_text(key: tuple) -> str:
    dept, unit_id, role = key
    return f"{dept or ''}:{unit_id or ''}:{role.value if role else ''}"


def overdue_by_handler(unit: OrgUnit, now: datetime) -> list[dict[str, Any]]:
    """Tasks open past their deadline now, by department or post (the 逾期台账 未办结 rows)."""
    rows = db.session.execute(select(*_KEY, func.count()).where(
        HumanTask.state == TaskState.READY, HumanTask.due_at < now,
        HumanTask.case_org_unit_id.in_(units_under(unit))).group_by(*_KEY)).all()
    names = handler_labels([tuple(r[:3]) for r in rows])
    return sorted(({"key": _key_text(tuple(r[:3])), "label": names[tuple(r[:3])], "count": r[3]}
                   for r in rows), key=lambda r: (-r["count"], r["label"]))[:15]


def risks(unit: OrgUnit) -> list[dict[str, Any]]:
    """Open red and orange cases: count per tier."""
    rows = dict(db.session.execute(select(Case.risk_tier, func.count()).where(
        _cases_in(unit), Case.status == CaseStatus.IN_PROGRESS, Case.risk_tier.in_(ALERT_TIERS))
        .group_by(Case.risk_tier)).all())
    return [{"key": t.value, "label": f"{t.label}风险", "count": rows.get(t, 0)}
            for t in ALERT_TIERS]


def resolution_trend(unit: OrgUnit, now: datetime) -> dict[str, Any]:
    """化解率 of the last six months (this month to date included), with its definition."""
    lines = trend(unit, period_containing("monthly", now.astimezone(local_zone()).date()))
    return {"lines": lines, "definition": BY_KEY["resolution_rate"].definition}


def satisfaction(unit: OrgUnit, now: datetime) -> dict[str, Any]:
    """This month's 满意率 (app/reports/indicators.satisfaction_counts), with its definition."""
    month = period_containing("monthly", now.astimezone(local_zone()).date())
    counts = satisfaction_counts(units_under(unit), month)
    return {"text": percent(counts["satisfied"], counts["rated"]), "rated": counts["rated"],
            "satisfied": counts["satisfied"], "month": month.label(),
            "definition": BY_KEY["satisfaction_rate"].definition}


def grid_map(unit: OrgUnit, now: datetime) -> dict[str, Any]:
    """GeoJSON of the grids under `unit` that have an outline, each with its cases of the last 30 days."""
    shapes = db.session.execute(select(OrgUnit, GridShape.geometry).join(
        GridShape, GridShape.org_unit_id == OrgUnit.id).where(OrgUnit.id.in_(units_under(unit)))
        .order_by(OrgUnit.path)).all()
    counts = dict(db.session.execute(select(Case.org_unit_id, func.count()).where(
        _cases_in(unit), Case.received_at >= now - timedelta(days=HEAT_DAYS), Case.received_at < now)
        .group_by(Case.org_unit_id)).all())
    features = [{"type": "Feature", "geometry": geometry,
                 "properties": {"name": grid.name, "code": grid.code, "id": grid.id,
                                "count": counts.get(grid.id, 0)}} for grid, geometry in shapes]
    return {"type": "FeatureCollection", "features": features, "days": HEAT_DAYS}


def figures(unit: OrgUnit, now: datetime) -> dict[str, Any]:
    """Everything the dashboard shows, as JSON-ready data."""
    return {"unit": {"id": unit.id, "name": unit.name},
            "generated_at": now.astimezone(local_zone()).strftime("%Y-%m-%d %H:%M:%S"),
            "intake_today": intake_today(unit, now), "open_by_route": open_by_route(unit),
            "overdue_by_handler": overdue_by_handler(unit, now), "risks": risks(unit),
            "trend": resolution_trend(unit, now), "satisfaction": satisfaction(unit, now),
            "map": grid_map(unit, now),
            "warnings": latest_warnings(unit)}


def latest_warnings(unit: OrgUnit, limit: int = 8) -> list[dict[str, Any]]:
    """The newest risk warnings located under `unit` (风险预警)."""
    return [{"id": w.id, "rule": WARNING_LABELS.get(w.rule, w.rule), "text": w.text,
             "at": w.created_at.astimezone(local_zone()).strftime("%m-%d %H:%M"),
             "cases": w.evidence.get("cases", [])}
            for w in warnings_in(units_under(unit), limit)]


def _handler_condition(key: str):
    dept, unit_id, role = (key.split(":") + ["", "", ""])[:3]
    return (HumanTask.candidate_department_id == (int(dept) if dept.isdigit() else None),
            HumanTask.candidate_org_unit_id == (int(unit_id) if unit_id.isdigit() else None),
            HumanTask.candidate_role == (Role(role) if role in {r.value for r in Role} else None))


def figure_conditions(unit: OrgUnit, figure: Figure, now: datetime) -> list:
    """The WHERE of the cases behind one figure (the same conditions as the figure's count)."""
    if figure.kind == "intake":
        return [Case.received_at >= _start_of_day(now), Case.received_at < now, Case.channel == figure.key]
    if figure.kind == "open":
        route, _, level = figure.key.partition(":")
        return [Case.status == CaseStatus.IN_PROGRESS, Case.route == (route or None),
                Case.level == (level or None)]
    if figure.kind == "risk" and figure.key in {t.value for t in ALERT_TIERS}:
        return [Case.status == CaseStatus.IN_PROGRESS, Case.risk_tier == RiskTier(figure.key)]
    if figure.kind == "grid" and figure.key.isdigit():
        return [Case.org_unit_id == int(figure.key), Case.received_at >= now - timedelta(days=HEAT_DAYS),
                Case.received_at < now]
    if figure.kind == "overdue":
        tasks = select(HumanTask.business_key).where(
            HumanTask.state == TaskState.READY, HumanTask.due_at < now, *_handler_condition(figure.key),
            HumanTask.case_org_unit_id.in_(units_under(unit)))
        return [Case.code.in_(tasks)]
    return [Case.id.is_(None)]


def figure_cases(unit: OrgUnit, figure: Figure, now: datetime) -> list[Case]:
    """The cases behind a figure, newest first (up to LIST_LIMIT)."""
    return list(db.session.scalars(select(Case).where(_cases_in(unit), *figure_conditions(unit, figure, now))
                                   .order_by(Case.received_at.desc()).limit(LIST_LIMIT)))


def grid_units(unit: OrgUnit) -> list[OrgUnit]:
    """The grids under `unit` (for the admin's outline page)."""
    return list(db.session.scalars(select(OrgUnit).where(
        OrgUnit.id.in_(units_under(unit)), OrgUnit.level == OrgLevel.GRID).order_by(OrgUnit.path)))
