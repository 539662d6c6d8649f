"""Notifications through one interface: `Notifier.send`. Config picks the implementation.

- `NullNotifier` writes the message to the `notification` table only (tests, demo: the admin
  reads it at /notify/).
- `SmsGatewayNotifier` writes the same row and puts a signed POST to the HTTP SMS gateway in the
  outbox; the outbox worker delivers it and retries failures with backoff. The gateway sees the
  same idempotency key on every retry, so a retried SMS is not sent twice.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select

from app.channels.outbox.services import enqueue
from app.extensions import db
from app.notify.models import Notification

SMS_TARGET = "sms_gateway"
KIND_LABELS = {"sms_code": "短信验证码", "case_accepted": "受理告知", "case_closed": "办结告知",
               "urgent_task": "紧急任务提醒", "rating_review": "不满意复核提醒"}


@dataclass(frozen=True)
class Message:
    """What to send: `key` makes the message unique (sending the same key twice is a no-op)."""

    kind: str
    recipient: str
    text: str
    key: str
    case_id: int | None = None


class Notifier(Protocol):
    """Sends a message; the caller's unit of work commits it."""

    def send(self, message: Message, now: datetime) -> Notification:
        """Record (and, for real transports, queue) one message."""
        ...


def _record(message: Message, now: datetime, transport: str) -> tuple[Notification, bool]:
    existing = db.session.scalar(select(Notification).where(Notification.ref == message.key))
    if existing is not None:
        return existing, False
    row = Notification(kind=message.kind, recipient=message.recipient, text=message.text,
                       ref=message.key, case_id=message.case_id, transport=transport,
                       created_at=now)
    db.session.add(row)
    db.session.flush()
    return row, True


class NullNotifier:
    """Keeps messages in the notification table and sends nothing."""

    def send(self, message: Message, now: datetime) -> Notification:
        """Write the row."""
        row, _ = _record(message, now, "null")
        return row


class SmsGatewayNotifier:
    """Sends SMS through an HTTP gateway at `url`, signed and retried by the outbox."""

    def __init__(self, url: str):
        self.url = url

    def send(self, message: Message, now: datetime) -> Notification:
        """Write the row and queue the signed gateway call."""
        row, created = _record(message, now, SMS_TARGET)
        if created:
            outbox = enqueue(target=SMS_TARGET, url=self.url, event=message.kind, ref=message.key[:64],
                             key=f"sms:{message.key}", case_id=message.case_id, now=now,
                             payload={"to": message.recipient, "text": message.text,
                                      "kind": message.kind})
            row.outbox_message_id = outbox.id
            db.session.flush()
        return row


def recent(limit: int = 200) -> list[Notification]:
    """The newest notifications, for the admin page."""
    return list(db.session.scalars(select(Notification).order_by(Notification.id.desc()).limit(limit)))
