"""Report indicators: SQL aggregates over dispute_case and human_task for an org subtree and period.

Definitions (docs/reports.md): a case counts in the period it was received (受理); it is
resolved (化解) when its status is resolved, closed or reopened (a return-visit follow-up
does not undo the resolution); 化解率 = resolved ÷ received, two decimals, half up. A task is
overdue (逾期) when its deadline fell in the period before the report's moment and it was not
completed by then — the overdue list's definition (app/supervision/overdue.py), so a
deadline still ahead never counts. A return visit (回访) is the `visit` task of the
return-visit process, not the 12345 order's own `visit` step.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select

from app.cases.models import Case, CaseStatus
from app.extensions import db
from app.org.models import OrgUnit
from app.reports.periods import Period
from app.supervision.access import units_under
from app.supervision.labels import CATEGORY_LABELS, CHANNEL_LABELS, label
from app.supervision.stats import percent, rate_value
from app.workflow.models import HumanTask, ProcessInstance, TaskState

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
           "joint_resolved", "recurrences", "overdue", "return_visits", "tasks_due", "tasks_on_time")


def _line(key: str, text: str, received: int, resolved: int) -> dict[str, Any]:
    return {"key": key, "label": text, "received": received, "resolved": resolved,
            "rate": rate_value(resolved, received), "rate_text": percent(resolved, received)}


def cutoff(period: Period, now: datetime | None) -> datetime:
    """The moment a report looks from: `now`, or the period's end once the period is over.

    Without `now` (a closed period computed after the fact) it is the period's end.
    """
    return period.ends_at if now is None else min(now, period.ends_at)


def _case_groups(units: Select | None, period: Period) -> list:
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
    """On-time, overdue (deadline before `until`) and return-visit counts of the tasks in the units."""
    scope = [ProcessInstance.org_unit_id.in_(units)] if units is not None else []
    done_in_period = (HumanTask.state == TaskState.COMPLETED, HumanTask.completed_at >= period.begins_at,
                      HumanTask.completed_at < period.ends_at)
    return_visit = and_(HumanTask.process_id == RETURN_VISIT_PROCESS, HumanTask.bpmn_id == RETURN_VISIT_TASK)
    due, on_time, visits = db.session.execute(
        select(func.count(HumanTask.due_at),
               func.coalesce(func.sum(case((HumanTask.completed_at <= HumanTask.due_at, 1), else_=0)), 0),
               func.coalesce(func.sum(case((return_visit, 1), else_=0)), 0))
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .where(*done_in_period, *scope)).one()
    # Open past the deadline, or completed after it; a deadline still ahead of `until` is not overdue.
    overdue = db.session.scalar(
        select(func.count()).select_from(HumanTask)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .where(HumanTask.state.in_((TaskState.READY, TaskState.COMPLETED)),
               HumanTask.due_at >= period.begins_at, HumanTask.due_at < until,
               or_(HumanTask.completed_at.is_(None), HumanTask.completed_at > HumanTask.due_at), *scope))
    return {"tasks_due": int(due), "tasks_on_time": int(on_time), "return_visits": int(visits),
            "overdue": int(overdue or 0)}


def _tally(rows) -> tuple[Counter, dict[str, Counter], dict[str, Counter], dict[str, Counter]]:
    totals: Counter = Counter()
    by = {"channel": {}, "category": {}, "level": {}}
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
    for status in ("in_progress", "unresolved", "referred"):
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
        "joint": _line(JOINT_ROUTE, "中心吹哨、部门报到联合处置", counts["joint_received"],
                       counts["joint_resolved"]),
        "new_signs": channels.get("follow_up", Counter())["received"],
        "by_channel": by_channel, "by_category": by_category, "by_level": by_level,
    }


def changes(current: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    """Differences against the previous period: counts, and rates in percentage points."""
    diff = {key: current["counts"][key] - previous["counts"][key] for key in COUNTED}
    diff["resolution_rate"] = round(current["resolution_rate"] - previous["resolution_rate"], 2)
    diff["on_time_rate"] = round(current["on_time_rate"] - previous["on_time_rate"], 2)
    diff["new_signs"] = current["new_signs"] - previous["new_signs"]
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
            "previous": {"counts": previous["counts"], "resolution_rate": previous["resolution_rate"],
                         "on_time_rate": previous["on_time_rate"], "new_signs": previous["new_signs"],
                         "by_category": previous["by_category"]},
            "change": changes(current, previous)}


def channel_label(key: str) -> str:
    """A channel's Chinese name."""
    return label(CHANNEL_LABELS, key)
