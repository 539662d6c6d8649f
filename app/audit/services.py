"""Write audit events inside the caller's transaction."""

from datetime import datetime
from typing import Any

from app.audit.models import AuditEvent
from app.extensions import db

SYSTEM_ACTOR = "系统"


def record(at: datetime, action: str, *, actor_id: int | None = None,
           actor_label: str = SYSTEM_ACTOR, instance_id: str | None = None,
           task_id: str | None = None, summary: dict[str, Any] | None = None) -> AuditEvent:
    """Append one audit event to the current unit of work."""
    event = AuditEvent(at=at, action=action, actor_id=actor_id, actor_label=actor_label,
                       instance_id=instance_id, task_id=task_id, summary=summary or {})
    db.session.add(event)
    return event
