"""Notifications sent to people (SMS codes, acceptance and close-out notices, urgent tasks)."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model


class Notification(Model):
    """One message to one recipient. Every transport writes this row; the admin page reads it.

    `transport` is "null" (kept here only: tests, demo, development) or "sms_gateway" (also put
    in the outbox as `outbox_message_id`, delivered and retried by the worker).
    """

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_created", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(20), index=True)
    text: Mapped[str] = mapped_column(Text)
    ref: Mapped[str] = mapped_column(String(128), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("dispute_case.id"))
    transport: Mapped[str] = mapped_column(String(16))
    outbox_message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id"))
    created_at: Mapped[datetime]
