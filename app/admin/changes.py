"""One audit event per admin change, naming what it was before and what it is after."""

from datetime import datetime
from typing import Any

from app.audit.services import record
from app.org.services import Actor


def audit_change(actor: Actor, action: str, subject: str, before: dict[str, Any] | None,
                 after: dict[str, Any] | None, *, now: datetime) -> None:
    """Append `action` on `subject` with its before and after state to the unit of work."""
    record(now, action, actor_id=actor.user_id, actor_label=actor.label,
           summary={"subject": subject, "before": before, "after": after})
