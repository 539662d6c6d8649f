"""Append-only audit trail. The migration adds triggers that refuse UPDATE and DELETE."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model


class AuditEvent(Model):
    """Who did what, when, to which instance or task, with a summary of the change."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_instance_at", "instance_id", "at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True)
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    actor_label: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    instance_id: Mapped[str | None] = mapped_column(String(36))
    task_id: Mapped[str | None] = mapped_column(String(36))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
