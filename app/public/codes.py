"""SMS codes that confirm a citizen's phone: issued once, stored hashed, used once, then dead."""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update

from app.errors import OneDoorError
from app.extensions import db
from app.notify.services import Message, Notifier
from app.public.models import SmsChallenge
from app.unit_of_work import rows_changed

LIFETIME = timedelta(minutes=10)
MAX_ATTEMPTS = 5


class BadCode(OneDoorError):
    """A wrong, expired, used or forged SMS code."""

    code = "bad_sms_code"
    http_status = 400

    def __init__(self, message: str, token: str | None = None):
        super().__init__(message, {"sms_code": [message]})
        self.token = token


def _digest(secret: str, token: str, code: str) -> str:
    return hmac.new(secret.encode(), f"{token}:{code}".encode(), hashlib.sha256).hexdigest()


def issue(phone: str, purpose: str, *, secret: str, notifier: Notifier, now: datetime) -> SmsChallenge:
    """Make a 6-digit code for `phone`, send it through the notifier, return the challenge."""
    token = secrets.token_urlsafe(24)
    code = f"{secrets.randbelow(1_000_000):06d}"
    challenge = SmsChallenge(token=token, phone=phone, purpose=purpose,
                             code_hash=_digest(secret, token, code), attempts=0, created_at=now,
                             expires_at=now + LIFETIME)
    db.session.add(challenge)
    db.session.flush()
    notifier.send(Message(kind="sms_code", recipient=phone, key=f"sms_code:{token}",
                          text=f"【一扇门】您的验证码为 {code}，10 分钟内有效。如非本人操作请忽略。"), now)
    return challenge


def consume(token: str, phone: str, code: str, purpose: str, *, secret: str, now: datetime) -> SmsChallenge:
    """Use the challenge once: BadCode unless the code is right, fresh, unused and for this phone."""
    challenge = db.session.scalar(select(SmsChallenge).where(SmsChallenge.token == token)
                                  .with_for_update())
    if challenge is None or challenge.phone != phone or challenge.purpose != purpose:
        raise BadCode("验证码无效，请重新获取")
    if challenge.used_at is not None:
        raise BadCode("验证码已使用，请重新获取")
    if challenge.expires_at <= now or challenge.attempts >= MAX_ATTEMPTS:
        raise BadCode("验证码已失效，请重新获取")
    if not hmac.compare_digest(challenge.code_hash, _digest(secret, token, code)):
        raise BadCode("验证码不正确", token=token)
    # Conditional: of two requests replaying one code at once, only one finds it unused.
    used = rows_changed(update(SmsChallenge).where(
        SmsChallenge.id == challenge.id, SmsChallenge.used_at.is_(None)).values(used_at=now)
        .execution_options(synchronize_session=False))
    if used != 1:
        raise BadCode("验证码已使用，请重新获取")
    return challenge


def count_wrong_attempt(token: str) -> None:
    """Record a wrong code against its challenge (its own unit of work: the refusal rolls back)."""
    db.session.execute(update(SmsChallenge).where(SmsChallenge.token == token)
                       .values(attempts=SmsChallenge.attempts + 1)
                       .execution_options(synchronize_session=False))
