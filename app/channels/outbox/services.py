"""Put results owed to other systems in the outbox; deliver them as signed callbacks with retries.

Delivery claims due rows with FOR UPDATE SKIP LOCKED (PostgreSQL), so several workers never
send the same row at once; a receiver may still see a callback twice (a worker killed after
sending, before committing), so every callback carries its idempotency key.
"""

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select

from app.channels.outbox.models import OutboxMessage
from app.channels.signing import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from app.clock import Clock
from app.extensions import db

log = logging.getLogger("onedoor.outbox")
FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY = timedelta(hours=6)
MAX_ATTEMPTS = 12


def enqueue(*, target: str, url: str, event: str, ref: str, key: str, payload: Mapping[str, Any],
            now: datetime, case_id: int | None = None) -> OutboxMessage:
    """Add a callback unless one with the same idempotency key exists (then return that one)."""
    existing = db.session.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == key))
    if existing is not None:
        return existing
    message = OutboxMessage(target=target, url=url, event=event, ref=ref, case_id=case_id,
                            idempotency_key=key, payload={**payload, "idempotency_key": key},
                            attempts=0, next_attempt_at=now, created_at=now)
    db.session.add(message)
    db.session.flush()
    return message


def body_of(message: OutboxMessage) -> bytes:
    """The exact bytes sent (and signed)."""
    return json.dumps(message.payload, ensure_ascii=False, sort_keys=True).encode()


class Sender(Protocol):
    """Sends one signed callback; raises on any failure."""

    def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> None:
        """POST `body` to `url`."""
        ...


class HttpSender:
    """The real sender: an HTTP POST with the standard library; any non-2xx is a failure."""

    def __init__(self, timeout: float = 5.0):
        self.timeout = timeout

    def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> None:
        """POST and check the status."""
        request = urllib.request.Request(url, data=body, method="POST",
                                         headers={"Content-Type": "application/json", **headers})
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            if not 200 <= response.status < 300:
                raise urllib.error.HTTPError(url, response.status, "callback refused", response.headers, None)


class NullSender:
    """Records instead of sending (development without the other platforms)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, dict[str, str]]] = []

    def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> None:
        """Remember the call."""
        self.sent.append((url, body, dict(headers)))


@dataclass
class DeliveryResult:
    """What one delivery run did."""

    delivered: int = 0
    failed: int = 0


def backoff(attempts: int) -> timedelta:
    """Wait before attempt `attempts + 1`: 30 s, 1 min, 2 min … at most 6 h."""
    return min(FIRST_RETRY * (2 ** max(0, attempts - 1)), MAX_RETRY)


def deliver_due(clock: Clock, sender: Sender, secret_for: Callable[[str], str],
                limit: int = 20) -> DeliveryResult:
    """Send up to `limit` due callbacks, oldest first; failures are retried with backoff."""
    now = clock.now()
    rows = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.delivered_at.is_(None), OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)
        .with_for_update(skip_locked=True)).all()
    result = DeliveryResult()
    for message in rows:
        _attempt(message, now, sender, secret_for(message.target), result)
    db.session.flush()
    return result


def _attempt(message: OutboxMessage, now: datetime, sender: Sender, secret: str,
             result: DeliveryResult) -> None:
    body = body_of(message)
    timestamp = str(int(now.timestamp()))
    message.signature = sign(secret, timestamp, body)
    message.attempts += 1
    headers = {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: message.signature,
               IDEMPOTENCY_HEADER: message.idempotency_key}
    try:
        sender.send(message.url, body, headers)
    except Exception as exc:  # noqa: BLE001 - any failure of the other side is retried
        log.warning("callback %s to %s failed: %s", message.idempotency_key, message.url, exc)
        message.last_error = f"{type(exc).__name__}: {exc}"[:1000]
        message.next_attempt_at = None if message.attempts >= MAX_ATTEMPTS \
            else now + backoff(message.attempts)
        result.failed += 1
        return
    message.delivered_at = now
    message.next_attempt_at = None
    message.last_error = None
    result.delivered += 1
