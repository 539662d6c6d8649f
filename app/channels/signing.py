"""HMAC signatures of requests between OneDoor and other platforms (12345, referral sources).

signature = hex(HMAC-SHA256(secret, timestamp + "." + body)), sent as X-OneDoor-Signature with
the Unix timestamp in X-OneDoor-Timestamp. A request older (or newer) than the replay window
is refused even with a good signature; within the window, idempotency keys make replays harmless.
"""

import hashlib
import hmac
from datetime import datetime

from app.errors import OneDoorError

TIMESTAMP_HEADER = "X-OneDoor-Timestamp"
SIGNATURE_HEADER = "X-OneDoor-Signature"
IDEMPOTENCY_HEADER = "X-OneDoor-Idempotency-Key"


class BadSignature(OneDoorError):
    """Missing, malformed or wrong signature, or a timestamp outside the replay window."""

    code = "bad_signature"
    http_status = 401


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature of `body` sent at `timestamp`."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: str | None, signature: str | None, body: bytes, *,
           now: datetime, window_seconds: int) -> None:
    """Raise BadSignature unless the signature matches and the timestamp is within the window."""
    if not timestamp or not signature:
        raise BadSignature(f"缺少签名请求头 {TIMESTAMP_HEADER} / {SIGNATURE_HEADER}")
    try:
        sent = int(timestamp)
    except ValueError:
        raise BadSignature("签名时间戳格式不正确（应为 Unix 秒）") from None
    if not hmac.compare_digest(sign(secret, timestamp, body), signature.strip().lower()):
        raise BadSignature("签名不正确")
    if abs(now.timestamp() - sent) > window_seconds:
        error = BadSignature(f"签名时间戳已过期（允许 {window_seconds} 秒内）")
        error.code = "signature_expired"
        raise error
