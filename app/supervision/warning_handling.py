"""The coordinator's handling of a risk warning (风险预警): 签收 (acknowledge), 关闭 (close with a
note), each audited; and the open warnings a coordinator's notification bell lists.

A warning is raised to the center coordinators of the units at or above its org unit
(app/supervision/warnings.py); only they may handle it. Both steps are conditional UPDATEs,
so two coordinators acting at once cannot both acknowledge or both close the same warning.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func, or_, select, update

from app.audit.services import record
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.org.models import OrgUnit, Role, User
from app.org.services import Actor
from app.supervision.warning_models import RiskWarning
from app.unit_of_work import rows_changed

NOTE_MIN = 2
NOTE_MAX = 2000


def handled_units(actor: Actor) -> Select | None:
    """The org units whose warnings `actor` handles (subtrees of their coordinator units), or None."""
    ids = [unit for unit, role in actor.unit_roles if role == Role.CENTER_COORDINATOR]
    if not ids:
        return None
    paths = db.session.scalars(select(OrgUnit.path).where(OrgUnit.id.in_(ids))).all()
    return select(OrgUnit.id).where(or_(*[OrgUnit.path.startswith(path) for path in paths]))


def may_handle(actor: Actor, warning: RiskWarning) -> bool:
    """True when `actor` is a center coordinator at or above the warning's unit."""
    units = handled_units(actor)
    return units is not None and db.session.scalar(
        select(func.count()).select_from(OrgUnit).where(OrgUnit.id == warning.org_unit_id,
                                                        OrgUnit.id.in_(units))) == 1


def _warning_for(actor: Actor, warning_id: int) -> RiskWarning:
    warning = db.session.get(RiskWarning, warning_id)
    if warning is None:
        raise NotFound("没有这条风险预警")
    if not may_handle(actor, warning):
        raise Forbidden("只有预警所在地的综治中心调度可以签收或关闭预警")
    return warning


def acknowledge(warning_id: int, actor: Actor, now: datetime) -> RiskWarning:
    """签收: the coordinator has seen the warning and takes it on."""
    warning = _warning_for(actor, warning_id)
    done = rows_changed(update(RiskWarning).where(
        RiskWarning.id == warning.id, RiskWarning.acknowledged_at.is_(None), RiskWarning.closed_at.is_(None))
        .values(acknowledged_at=now, acknowledged_by_id=actor.user_id))
    if not done:
        raise Conflict("该预警已签收或已关闭")
    record(now, "warning.acknowledged", actor_id=actor.user_id, actor_label=actor.label,
           summary={"warning": warning.id, "rule": warning.rule})
    db.session.flush()
    db.session.refresh(warning)
    return warning


def close(warning_id: int, note: str, actor: Actor, now: datetime) -> RiskWarning:
    """关闭 with a note saying what was done (acknowledges it too if nobody had)."""
    note = (note or "").strip()
    if not NOTE_MIN <= len(note) <= NOTE_MAX:
        raise ValidationFailed("请填写处置说明", {"note": [f"请填写 {NOTE_MIN}–{NOTE_MAX} 个字的处置说明"]})
    warning = _warning_for(actor, warning_id)
    done = rows_changed(update(RiskWarning).where(
        RiskWarning.id == warning.id, RiskWarning.closed_at.is_(None)).values(
        closed_at=now, closed_by_id=actor.user_id, note=note,
        acknowledged_at=func.coalesce(RiskWarning.acknowledged_at, now),
        acknowledged_by_id=func.coalesce(RiskWarning.acknowledged_by_id, actor.user_id)))
    if not done:
        raise Conflict("该预警已关闭")
    record(now, "warning.closed", actor_id=actor.user_id, actor_label=actor.label,
           summary={"warning": warning.id, "rule": warning.rule, "note": note})
    db.session.flush()
    db.session.refresh(warning)
    return warning


def handler_names(warnings: list[RiskWarning]) -> dict[int, str]:
    """Display names of the users who acknowledged or closed these warnings."""
    ids = {w.acknowledged_by_id for w in warnings} | {w.closed_by_id for w in warnings}
    ids.discard(None)
    return dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all()) \
        if ids else {}


def open_warnings_for(actor: Actor, since: datetime | None = None, limit: int = 30) -> list[RiskWarning]:
    """Warnings not yet closed that `actor` handles, newest first (raised after `since` if given)."""
    units = handled_units(actor)
    if units is None:
        return []
    query = select(RiskWarning).where(RiskWarning.closed_at.is_(None), RiskWarning.org_unit_id.in_(units))
    if since is not None:
        query = query.where(RiskWarning.created_at > since)
    return list(db.session.scalars(query.order_by(RiskWarning.created_at.desc(), RiskWarning.id.desc())
                                   .limit(limit)))
