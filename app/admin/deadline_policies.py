"""Deadline policies (预警 / 催办 / 督办 thresholds per process and task), edited by administrators."""

from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from app.admin.changes import audit_change
from app.errors import ValidationFailed
from app.extensions import db
from app.org.services import Actor
from app.supervision import policies
from app.supervision.models import ANY, DeadlinePolicy


def rows() -> list[DeadlinePolicy]:
    """Every policy row, most general first."""
    return list(db.session.scalars(select(DeadlinePolicy).order_by(DeadlinePolicy.process_id,
                                                                    DeadlinePolicy.bpmn_id)))


def _state(row: DeadlinePolicy) -> dict:
    return {"process_id": row.process_id, "bpmn_id": row.bpmn_id, "warn_share": str(row.warn_share),
            "chase_after": row.chase_after_working_days,
            "supervise_after": row.supervise_after_working_days}


def _days(text: str, field: str, label: str) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if not text.isdigit() or not 0 <= int(text) <= 365:
        raise ValidationFailed("期限规则未保存",
                               {field: [f"{label}应为 0–365 的整数（空表示不{label[:2]}）"]})
    return int(text)


def _share(text: str) -> Decimal:
    try:
        share = Decimal((text or "").strip())
    except InvalidOperation:
        share = Decimal(-1)
    if not Decimal("0.05") <= share <= Decimal("1"):
        raise ValidationFailed("期限规则未保存", {"warn_share": ["预警点应为 0.05–1 之间的小数，如 0.667"]})
    return share


def save_policy(process_id: str, bpmn_id: str, warn_share: str, chase_after: str,
                supervise_after: str, *, description: str, actor: Actor, now: datetime) -> DeadlinePolicy:
    """Create or change the thresholds of (process, task); `*` matches any."""
    process_id, bpmn_id = (process_id or "").strip() or ANY, (bpmn_id or "").strip() or ANY
    share = _share(warn_share)
    chase = _days(chase_after, "chase_after", "催办天数")
    supervise = _days(supervise_after, "supervise_after", "督办天数")
    if chase is not None and supervise is not None and supervise < chase:
        raise ValidationFailed("期限规则未保存", {"supervise_after": ["督办天数不能少于催办天数"]})
    row = db.session.scalar(select(DeadlinePolicy).where(DeadlinePolicy.process_id == process_id,
                                                         DeadlinePolicy.bpmn_id == bpmn_id))
    before = _state(row) if row else None
    if row is None:
        row = DeadlinePolicy(process_id=process_id, bpmn_id=bpmn_id)
        db.session.add(row)
    row.warn_share, row.chase_after_working_days = share, chase
    row.supervise_after_working_days, row.description = supervise, (description or "").strip()
    db.session.flush()
    policies.invalidate()
    audit_change(actor, "deadline_policy.saved", f"{process_id}/{bpmn_id}", before, _state(row), now=now)
    return row
