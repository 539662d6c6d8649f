"""Risk early warning rules over the case stream, raising warnings to the center coordinators.

Rules (thresholds in `warning_rule`, defaults below, editable by the admin):
- repeat_party 同一当事人多次纠纷: the same party (ID number, else phone) in ≥ `cases` cases within `days`.
- repeat_place 同一地点多次纠纷: the same address in one grid in ≥ `cases` cases within `days`.
- grid_surge 网格纠纷激增: a grid whose cases of the last 7 days exceed the mean of the `weeks`
  weeks before by more than `sigma` standard deviations (and are at least `min_cases`).
- red_untouched 红色风险无人处置: a red-tier case in progress with no task claimed or completed
  (and received) for `hours` hours.
Each finding is raised once (unique dedupe key, inserted under a savepoint: safe to run twice).
"""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.audit.services import record
from app.cases.models import Case, CaseStatus, Party, RiskTier
from app.clock import Clock
from app.errors import ValidationFailed
from app.extensions import db
from app.supervision.warning_models import RiskWarning, WarningRule
from app.workflow.models import HumanTask

DEFAULTS: dict[str, dict[str, Any]] = {
    "repeat_party": {"cases": 3, "days": 30},
    "repeat_place": {"cases": 3, "days": 30},
    "grid_surge": {"weeks": 8, "sigma": 2.0, "min_cases": 5},
    "red_untouched": {"hours": 24},
}
LABELS = {"repeat_party": "同一当事人多次纠纷", "repeat_place": "同一地点多次纠纷",
          "grid_surge": "网格纠纷激增", "red_untouched": "红色风险无人处置"}
PARAM_LABELS = {"cases": "案件数 ≥", "days": "天数", "weeks": "对比周数", "sigma": "标准差倍数",
                "min_cases": "最少案件数", "hours": "小时数"}
_ACTIVE = (CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED, CaseStatus.REOPENED, CaseStatus.UNRESOLVED,
           CaseStatus.REFERRED, CaseStatus.CLOSED)


def rule_params(key: str) -> dict[str, Any] | None:
    """The thresholds in force for a rule, or None when the admin switched it off."""
    row = db.session.get(WarningRule, key)
    if row is None:
        return dict(DEFAULTS[key])
    return {**DEFAULTS[key], **row.params} if row.enabled else None


def saved_params(key: str) -> dict[str, Any]:
    """The stored thresholds of a rule (also when it is switched off), over the defaults."""
    row = db.session.get(WarningRule, key)
    return {**DEFAULTS[key], **(row.params if row else {})}


def set_rule(key: str, params: dict[str, Any], enabled: bool, *, actor_id: int | None, now: datetime) -> None:
    """Change a rule's thresholds (positive numbers only; unknown names refused)."""
    if key not in DEFAULTS:
        raise ValidationFailed("没有这条预警规则", {"rule": ["取值无效"]})
    errors, clean = {}, {}
    for name, default in DEFAULTS[key].items():
        try:
            value = type(default)(params.get(name, default))
        except (TypeError, ValueError):
            value = None
        if value is None or value <= 0:
            errors[name] = [f"「{PARAM_LABELS[name]}」须为正数"]
        clean[name] = value
    if errors:
        raise ValidationFailed("预警阈值有误", errors)
    row = db.session.get(WarningRule, key) or WarningRule(key=key, params={}, updated_at=now)
    row.params, row.enabled, row.updated_at, row.updated_by_id = clean, enabled, now, actor_id
    db.session.add(row)
    db.session.flush()


def _raise(rule: str, dedupe_key: str, org_unit_id: int, text: str, *, evidence: dict, now: datetime) -> bool:
    if db.session.scalar(select(RiskWarning.id).where(RiskWarning.dedupe_key == dedupe_key)):
        return False
    try:
        with db.session.begin_nested():
            db.session.add(RiskWarning(rule=rule, dedupe_key=dedupe_key[:160], org_unit_id=org_unit_id,
                                       text=text, evidence=evidence, created_at=now))
    except IntegrityError:
        return False
    record(now, "warning.raised", summary={"rule": rule, "key": dedupe_key[:160]})
    return True


def _repeat_party(params: dict, now: datetime) -> int:
    who = func.coalesce(func.nullif(Party.id_number, ""), func.nullif(Party.phone, ""))
    since = now - timedelta(days=params["days"])
    rows = db.session.execute(
        select(who, func.min(Party.name), func.count(func.distinct(Case.id)), func.max(Case.code))
        .join(Case, Case.id == Party.case_id)
        .where(Case.received_at >= since, Case.received_at < now, who.is_not(None))
        .group_by(who).having(func.count(func.distinct(Case.id)) >= params["cases"])).all()
    raised = 0
    for key, name, count, latest in rows:
        cases = db.session.execute(select(Case.code, Case.org_unit_id).join(Party, Party.case_id == Case.id)
                                   .where(who == key, Case.received_at >= since, Case.received_at < now)
                                   .order_by(Case.received_at)).all()
        text = f"当事人{name}在 {params['days']} 天内涉及 {count} 件纠纷"
        raised += _raise("repeat_party", f"party:{key}:{latest}", cases[-1][1], text,
                         evidence={"party": name, "cases": [c for c, _ in cases], "days": params["days"]},
                         now=now)
    return raised


def _repeat_place(params: dict, now: datetime) -> int:
    since = now - timedelta(days=params["days"])
    rows = db.session.execute(
        select(Case.org_unit_id, Case.address, func.count(), func.max(Case.code))
        .where(Case.received_at >= since, Case.received_at < now, Case.address != "")
        .group_by(Case.org_unit_id, Case.address).having(func.count() >= params["cases"])).all()
    raised = 0
    for unit_id, address, count, latest in rows:
        codes = list(db.session.scalars(select(Case.code).where(
            Case.org_unit_id == unit_id, Case.address == address, Case.received_at >= since,
            Case.received_at < now).order_by(Case.received_at)))
        raised += _raise("repeat_place", f"place:{unit_id}:{address}:{latest}", unit_id,
                         f"「{address}」在 {params['days']} 天内发生 {count} 件纠纷",
                         evidence={"address": address, "cases": codes, "days": params["days"]}, now=now)
    return raised


def _weekly_counts(start: datetime, now: datetime) -> dict[int, list[int]]:
    rows = db.session.execute(select(Case.org_unit_id, Case.received_at).where(
        Case.received_at >= start, Case.received_at < now)).all()
    weeks = (now - start).days // 7
    counts: dict[int, list[int]] = {}
    for unit_id, at in rows:
        index = min(weeks - 1, int((now - at).total_seconds() // (7 * 86400)))
        counts.setdefault(unit_id, [0] * weeks)[index] += 1
    return counts


def _grid_surge(params: dict, now: datetime) -> int:
    weeks = int(params["weeks"])
    raised = 0
    for unit_id, counts in _weekly_counts(now - timedelta(days=7 * (weeks + 1)), now).items():
        current, before = counts[0], counts[1:]
        mean, sigma = statistics.fmean(before), statistics.pstdev(before)
        limit = mean + params["sigma"] * sigma
        if current < params["min_cases"] or current <= limit:
            continue
        week = (now - timedelta(days=7)).date().isoformat()
        raised += _raise("grid_surge", f"surge:{unit_id}:{week}", unit_id,
                         f"近 7 天受理 {current} 件，高于此前 {weeks} 周均值 {mean:.1f} 件"
                         f"（{params['sigma']} 倍标准差上限 {limit:.1f} 件）",
                         evidence={"current": current, "weeks": before, "mean": round(mean, 2),
                                   "sigma": round(sigma, 2), "limit": round(limit, 2)}, now=now)
    return raised


def _red_untouched(params: dict, now: datetime) -> int:
    cutoff = now - timedelta(hours=params["hours"])
    touched = func.max(func.coalesce(HumanTask.completed_at, HumanTask.claimed_at))
    rows = db.session.execute(
        select(Case.code, Case.org_unit_id, Case.title, Case.received_at, touched)
        .outerjoin(HumanTask, HumanTask.business_key == Case.code)
        .where(Case.status == CaseStatus.IN_PROGRESS, Case.risk_tier == RiskTier.RED,
               Case.received_at < cutoff)
        .group_by(Case.code, Case.org_unit_id, Case.title, Case.received_at)).all()
    raised = 0
    for code, unit_id, title, received, last in rows:
        activity = max(received, last) if last else received
        if activity >= cutoff:
            continue
        raised += _raise("red_untouched", f"red:{code}:{activity.isoformat()}", unit_id,
                         f"红色风险案件「{title}」已 {params['hours']} 小时无人认领或办理",
                         evidence={"cases": [code], "last_activity": activity.isoformat(),
                                   "hours": params["hours"]}, now=now)
    return raised


RULES = {"repeat_party": _repeat_party, "repeat_place": _repeat_place, "grid_surge": _grid_surge,
         "red_untouched": _red_untouched}


def sweep_warnings(clock: Clock) -> int:
    """Worker job: run every enabled rule once; the number of new warnings."""
    now, raised = clock.now(), 0
    for key, rule in RULES.items():
        params = rule_params(key)
        if params is not None:
            raised += rule(params, now)
    return raised


def warnings_in(unit_ids, limit: int = 50) -> list[RiskWarning]:
    """Warnings located in the given org units, newest first."""
    return list(db.session.scalars(
        select(RiskWarning).where(RiskWarning.org_unit_id.in_(unit_ids))
        .order_by(RiskWarning.created_at.desc(), RiskWarning.id.desc()).limit(limit)))
