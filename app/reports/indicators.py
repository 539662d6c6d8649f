"""Report indicators: SQL aggregates over dispute_case and human_task for an org subtree and period.

Definitions (docs/reports.md): a case counts in the period it was received (受理); it is
resolved (化解) when its status is resolved, closed or reopened (a return-visit follow-up
does not undo the resolution). Overdue and on time are app/supervision/overdue_facts.py's
(a task escalated by its timer is overdue); the rates and their written definitions are
app/reports/rates.py's. A return visit (回访) is the `visit` task of the
return-visit process, not the 12345 order's own `visit` step.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, and_, case, func, or_, select

from app.cases.models import Case, CaseStatus
from app.channels.hotline.models import HotlineOrder
from app.clock import local_zone
from app.extensions import db
from app.org.models import OrgUnit
from app.public.models import Rating, SatisfactionRating
from app.reports.periods import Period
from app.reports.rates import compute_rates, percent, rate_value
from app.supervision.access import units_under
from app.supervision.labels import CATEGORY_LABELS, CHANNEL_LABELS, label
from app.supervision.overdue_facts import on_time_between, overdue_between
from app.workflow.models import HumanTask, TaskState

RESOLVED = (CaseStatus.RESOLVED, CaseStatus.CLOSED, CaseStatus.REOPENED)
# Channel lines of the reports; 三调对接 gathers the cases pushed by police, petitions and courts.
CHANNEL_GROUPS = [("grid", "网格员排查上报", ("grid",)),
                  ("hotline_12345", "12345 热线转办", ("hotline_12345",)),
                  ("three_mediation", "三调对接（警情、信访、诉前）", ("police", "petition", "court")),
                  ("walk_in", "来访窗口", ("walk_in",)), ("follow_up", "回访续案", ("follow_up",))]
JOINT_ROUTE = "whistle"
MERGED = "merged"
RETURN_VISIT_PROCESS = "return_visit"  # called by dispute.bpmn; its tasks carry this process_id
RETURN_VISIT_TASK = "visit"
COUNTED = ("received", "resolved", "in_progress", "unresolved", "referred", "joint_received",
           "joint_resolved", "recurrences", "overdue", "return_visits", "tasks_due", "tasks_on_time",
           "reopened", "rated", "satisfied", "visits_due", "visits_done")
# 满意 and 基本满意 (the 12345 scale adds 非常满意).
SATISFIED = ("very_satisfied", "satisfied", "basically_satisfied")
CITIZEN_SATISFIED = (Rating.SATISFIED, Rating.BASICALLY_SATISFIED)


def _line(key: str, text: str, received: int, resolved: int) -> dict[str, Any]:
    return {"key": key, "label": text, "received": received, "resolved": resolved,
            "rate": rate_value(resolved, received), "rate_text": percent(resolved, received)}


def cutoff(period: Period, now: datetime | None) -> datetime:
    """The moment a report looks from: `now`, or the period's end once the period is over.

    Without `now` (a closed period computed after the fact) it is the period's end.
    """
    return period.ends_at if now is None else min(now, period.ends_at)


def _case_groups(units: Select | None, period: Period) -> Sequence[Row[Any]]:
    """(channel, category, level, status, whistle?, has parent, count) of cases received in the period."""
    joint = case((Case.route == JOINT_ROUTE, 1), else_=0)
    child = case((Case.parent_id.is_not(None), 1), else_=0)
    where = [Case.received_at >= period.begins_at, Case.received_at < period.ends_at,
             # a duplicate merged into another case is not a dispute of its own
             or_(Case.result.is_(None), Case.result != MERGED)]
    if units is not None:
        where.append(Case.org_unit_id.in_(units))
    return db.session.execute(
        select(Case.channel, Case.category, Case.level, Case.status, joint, child, func.count())
        .where(*where)
        .group_by(Case.channel, Case.category, Case.level, Case.status, joint, child)).all()


def _task_counts(units: Select | None, period: Period, until: datetime) -> dict[str, int]:
    """On-time and overdue tasks (app/supervision/overdue_facts.py), return visits done and due."""
    # Scoped by the case's location copied onto the task row, as 逾期台账 is: no join to
    # process_instance, and (state, due_at, case_org_unit_id) serves the deadline window.
    scope = [HumanTask.case_org_unit_id.in_(units)] if units is not None else []
    return_visit = and_(HumanTask.process_id == RETURN_VISIT_PROCESS, HumanTask.bpmn_id == RETURN_VISIT_TASK)
    # One pass over the tasks completed in the period (state, completed_at).
    on_time, completed_visits = db.session.execute(
        select(func.coalesce(func.sum(case((on_time_between(period.begins_at, until), 1), else_=0)), 0),
               func.coalesce(func.sum(case((return_visit, 1), else_=0)), 0))
        .where(HumanTask.state == TaskState.COMPLETED, HumanTask.completed_at >= period.begins_at,
               HumanTask.completed_at < period.ends_at, *scope)).one()
    overdue = db.session.execute(select(func.count()).select_from(HumanTask).where(
        overdue_between(period.begins_at, until), *scope)).scalar_one()
    # Return visits due: a narrow process/task filter over the deadline window.
    due_window = and_(HumanTask.due_at >= period.begins_at, HumanTask.due_at < until)
    visits_due, visits_done = db.session.execute(
        select(func.count(), func.coalesce(func.sum(case((and_(
            HumanTask.state == TaskState.COMPLETED, HumanTask.completed_at < until), 1), else_=0)), 0))
        .where(HumanTask.state.in_(tuple(TaskState)), due_window, return_visit, *scope)).one()
    return {"tasks_on_time": int(on_time), "overdue": int(overdue), "tasks_due": int(on_time) + int(overdue),
            "return_visits": int(completed_visits or 0), "visits_due": int(visits_due),
            "visits_done": int(visits_done)}


def _rated_and_good(rating, good) -> Select:
    """SELECT (rows where `rating` is given, those where `good` holds: 满意 or 基本满意)."""
    return select(func.count(rating), func.coalesce(func.sum(case((good, 1), else_=0)), 0))


def satisfaction_counts(units: Select | None, period: Period) -> dict[str, int]:
    """满意率's counts (the one definition): every rating of the period's cases counts once.

    Three sources, none merged into another: the return visit's opinion of a case received in
    the period, the satisfaction of a 12345 order received in it, and the applicant's own
    rating on the public pages (satisfaction_rating) of a case received in it.
    """
    opinion = Case.return_visit["mediation_opinion"].as_string()
    received = [Case.received_at >= period.begins_at, Case.received_at < period.ends_at]
    if units is not None:
        received.append(Case.org_unit_id.in_(units))
    visits = _rated_and_good(opinion, opinion.in_(SATISFIED)).where(*received, Case.return_visit.is_not(None))
    own = SatisfactionRating.rating
    citizens = (_rated_and_good(own, own.in_(CITIZEN_SATISFIED)).select_from(SatisfactionRating)
                .join(Case, Case.id == SatisfactionRating.case_id).where(*received))
    order_where = [HotlineOrder.received_at >= period.begins_at, HotlineOrder.received_at < period.ends_at,
                   HotlineOrder.satisfaction.is_not(None)]
    if units is not None:
        order_where.append(HotlineOrder.org_unit_id.in_(units))
    given = HotlineOrder.satisfaction
    orders = _rated_and_good(given, given.in_(SATISFIED)).where(*order_where)
    pairs = [db.session.execute(query).one() for query in (visits, orders, citizens)]
    return {"rated": sum(int(rated) for rated, _ in pairs),
            "satisfied": sum(int(good) for _, good in pairs)}


def _tally(rows) -> tuple[Counter, dict[str, Counter], dict[str, Counter], dict[str, Counter]]:
    totals: Counter = Counter()
    by: dict[str, dict[str, Counter]] = {"channel": {}, "category": {}, "level": {}}
    for channel, category, level, status, joint, child, count in rows:
        resolved = count if status in RESOLVED else 0
        totals["received"] += count
        totals["resolved"] += resolved
        totals[f"status_{status.value}"] += count
        totals["joint_received"] += count if joint else 0
        totals["joint_resolved"] += resolved if joint else 0
        totals["recurrences"] += count if child else 0
        for name, key in (("channel", channel), ("category", category), ("level", level or "")):
            by[name].setdefault(key, Counter()).update({"received": count, "resolved": resolved})
    return totals, by["channel"], by["category"], by["level"]


def compute(unit: OrgUnit, period: Period, now: datetime | None = None) -> dict[str, Any]:
    """Every indicator of `unit`'s subtree over `period` as of `now` (no comparison).

    Without `now` the period is taken as closed: overdue counts deadlines up to its end.
    """
    return compute_in(units_under(unit), period, now)


def compute_in(units: Select | None, period: Period, now: datetime | None = None) -> dict[str, Any]:
    """Every indicator over the org units selected by `units` (None: everywhere) and `period`."""
    totals, channels, categories, levels = _tally(_case_groups(units, period))
    totals.update(_task_counts(units, period, cutoff(period, now)))
    totals.update(satisfaction_counts(units, period))
    for status in ("in_progress", "unresolved", "referred", "reopened"):
        totals[status] = totals[f"status_{status}"]
    by_channel = [_line(key, text, sum(channels.get(c, Counter())["received"] for c in members),
                        sum(channels.get(c, Counter())["resolved"] for c in members))
                  for key, text, members in CHANNEL_GROUPS]
    by_category = sorted((_line(k, label(CATEGORY_LABELS, k), v["received"], v["resolved"])
                          for k, v in categories.items()), key=lambda line: (-line["received"], line["key"]))
    by_level = sorted((_line(k, k or "未分级（当场或部门办理）", v["received"], v["resolved"])
                       for k, v in levels.items()), key=lambda line: (-line["received"], line["key"]))
    counts = {key: int(totals[key]) for key in COUNTED}
    return {
        "counts": counts,
        "resolution_rate": rate_value(counts["resolved"], counts["received"]),
        "resolution_rate_text": percent(counts["resolved"], counts["received"]),
        "on_time_rate": rate_value(counts["tasks_on_time"], counts["tasks_due"]),
        "on_time_rate_text": percent(counts["tasks_on_time"], counts["tasks_due"]),
        "rates": compute_rates(counts),
        "joint": _line(JOINT_ROUTE, "中心吹哨、部门报到联合处置", counts["joint_received"],
                       counts["joint_resolved"]),
        "new_signs": channels.get("follow_up", Counter())["received"],
        "by_channel": by_channel, "by_category": by_category, "by_level": by_level,
    }


def is_empty(figures: dict[str, Any]) -> bool:
    """True when a period has no data at all (nothing received, nothing due, nothing done)."""
    return not any(figures["counts"].values())


def changes(current: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    """Differences against the previous period: counts, and rates in percentage points.

    None where there is nothing to compare with (「上期无数据」): every figure when the previous
    period has no data at all, a rate when either period's denominator is empty.
    """
    empty = is_empty(previous)
    diff: dict[str, Any] = {key: None if empty else current["counts"][key] - previous["counts"][key]
                            for key in COUNTED}
    diff["new_signs"] = None if empty else current["new_signs"] - previous["new_signs"]
    for key, now_rate in current["rates"].items():
        before = previous["rates"][key]
        comparable = not (now_rate["empty"] or before["empty"])
        diff[key] = round(now_rate["value"] - before["value"], 2) if comparable else None
    return diff


def build(unit: OrgUnit, period: Period, now: datetime) -> dict[str, Any]:
    """The indicators of a report: this period, the previous one and the change between them."""
    current, previous = compute(unit, period, now), compute(unit, period.previous(), now)
    return {"kind": period.kind, "org_unit": {"id": unit.id, "name": unit.name},
            "period": {"start": period.start.isoformat(), "end": period.end.isoformat(),
                       "label": period.label()},
            "previous_period": {"start": period.previous().start.isoformat(),
                                "label": period.previous().label()},
            "generated_at": now.isoformat(), "current": current,
            # Set while the period is still running: the figures hold only up to this moment.
            "as_of": (now.astimezone(local_zone()).strftime("%Y-%m-%d %H:%M")
                      if now < period.ends_at else None),
            "previous": {"counts": previous["counts"], "resolution_rate": previous["resolution_rate"],
                         "on_time_rate": previous["on_time_rate"], "new_signs": previous["new_signs"],
                         "by_category": previous["by_category"], "rates": previous["rates"],
                         "empty": is_empty(previous)},
            "change": changes(current, previous)}


def channel_label(key: str) -> str:
    """A channel's Chinese name."""
    return label(CHANNEL_LABELS, key)
