"""The outbox: results owed to other systems, delivered by the worker with retries."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model, db


class OutboxMessage(Model):
    """One signed callback to send. `idempotency_key` is unique: enqueuing twice is a no-op,
    and the receiver sees the same key on every retry."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_due", "delivered_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target: Mapped[str] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(String(500))
    event: Mapped[str] = mapped_column(String(32))
    ref: Mapped[str] = mapped_column(String(64), index=True)
    case_id: Mapped[int | None] = mapped_column(db.ForeignKey("dispute_case.id"))
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    signature: Mapped[str | None] = mapped_column(String(128))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
