"""The monthly 《平安形势分析研判报告》: trends, hot spots, top and rising categories."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import case, func, or_, select

from app.cases.models import Case
from app.extensions import db
from app.org.models import OrgLevel, OrgUnit
from app.reports.indicators import MERGED, RESOLVED
from app.reports.periods import Period
from app.reports.rates import percent, rate_value
from app.supervision.access import units_under

TREND_MONTHS = 6
TOP = 5
HOT_SPOTS = 10


def _not_merged():
    """A duplicate merged into another case is not a dispute of its own (as in the indicators)."""
    return or_(Case.result.is_(None), Case.result != MERGED)


def trend(unit: OrgUnit, period: Period) -> list[dict[str, Any]]:
    """Received and resolved for the last six months up to the period, oldest first.

    One scan of the six months grouped by month (a CASE over the month ends), not six queries.
    """
    months, current = [], period
    for _ in range(TREND_MONTHS):
        months.append(current)
        current = current.previous()
    months.reverse()
    bucket = case(*[(Case.received_at < month.ends_at, index) for index, month in enumerate(months)])
    rows = db.session.execute(
        select(bucket, func.count(), func.count().filter(Case.status.in_(RESOLVED)))
        .where(Case.received_at >= months[0].begins_at, Case.received_at < months[-1].ends_at,
               Case.org_unit_id.in_(units_under(unit)), _not_merged())
        .group_by(bucket)).all()
    totals = {index: (int(received), int(resolved)) for index, received, resolved in rows}
    lines = []
    for index, month in enumerate(months):
        received, resolved = totals.get(index, (0, 0))
        lines.append({"label": month.label(), "received": received, "resolved": resolved,
                      "rate": rate_value(resolved, received), "rate_text": percent(resolved, received)})
    return lines


def hot_spots(unit: OrgUnit, period: Period) -> dict[str, list[dict[str, Any]]]:
    """The grids and the townships with the most cases received in the period."""
    rows = db.session.execute(
        select(Case.org_unit_id, func.count())
        .where(Case.received_at >= period.begins_at, Case.received_at < period.ends_at,
               Case.org_unit_id.in_(units_under(unit)), _not_merged())
        .group_by(Case.org_unit_id)).all()
    by_unit = dict(rows)
    units = {u.id: u for u in db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(list(by_unit))))}
    ancestors = {i for u in units.values() for i in u.ancestor_ids()}
    names = {u.id: u for u in db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ancestors)))}
    townships: Counter = Counter()
    for unit_id, count in by_unit.items():
        for ancestor in units[unit_id].ancestor_ids():
            if names[ancestor].level == OrgLevel.TOWNSHIP:
                townships[ancestor] += count
    grids = sorted(by_unit.items(), key=lambda item: (-item[1], item[0]))[:HOT_SPOTS]
    return {"grids": [{"name": _full_name(units[i], names), "count": c} for i, c in grids],
            "townships": [{"name": _full_name(names[i], names), "count": c}
                          for i, c in sorted(townships.items(), key=lambda it: (-it[1], it[0]))[:HOT_SPOTS]]}


def _full_name(unit: OrgUnit, names: dict[int, OrgUnit]) -> str:
    """'甘州区 梁家墩镇 第1村第1网格' — the unit under its county."""
    parts = [names[i].name for i in unit.ancestor_ids() if i in names and
             names[i].level in (OrgLevel.COUNTY, OrgLevel.TOWNSHIP)]
    return " ".join([*parts, unit.name] if unit.name not in parts else parts)


def rising(current: list[dict[str, Any]], previous: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Categories whose count grew most against the previous month."""
    before = {line["key"]: line["received"] for line in previous}
    grown = []
    for line in current:
        increase = line["received"] - before.get(line["key"], 0)
        if increase > 0:
            base = before.get(line["key"], 0)
            grown.append({"key": line["key"], "label": line["label"], "received": line["received"],
                          "previous": base, "increase": increase,
                          "increase_text": percent(increase, base) if base else "新增"})
    return sorted(grown, key=lambda g: (-g["increase"], g["key"]))[:TOP]


def analyse(unit: OrgUnit, period: Period, indicators: dict[str, Any]) -> dict[str, Any]:
    """The analysis sections added to a monthly report's indicators."""
    current = indicators["current"]["by_category"]
    return {"trend": trend(unit, period), "hot_spots": hot_spots(unit, period),
            "top_categories": current[:TOP],
            "rising_categories": rising(current, indicators["previous"]["by_category"])}
