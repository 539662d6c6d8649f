"""Rate limits on public forms, per phone, per address and per case code, counted in the database.

Every attempt is written to `public_rate_event` in its own unit of work before the form is
handled, so refused and failed attempts count too, and every gunicorn worker (and node) sees
the same counts. Two requests racing at the very edge of a limit may both pass: the limit is
an abuse guard, not an invariant.
"""

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from app.errors import OneDoorError
from app.extensions import db
from app.public.models import RateEvent

# action -> bucket kind -> (attempts allowed, window)
DEFAULT_LIMITS: dict[str, dict[str, tuple[int, timedelta]]] = {
    "sms_code": {"phone": (3, timedelta(minutes=15)), "address": (10, timedelta(hours=1))},
    "submit": {"phone": (10, timedelta(hours=1)), "address": (20, timedelta(hours=1))},
    "track": {"case": (10, timedelta(minutes=15)), "address": (30, timedelta(minutes=15))},
    "rate": {"case": (5, timedelta(hours=1)), "address": (20, timedelta(hours=1))},
    "open311": {"address": (30, timedelta(minutes=15))},
}
KEEP = timedelta(days=2)


class RateLimited(OneDoorError):
    """Too many attempts from this phone, address or for this case."""

    code = "rate_limited"
    http_status = 429


def hit(action: str, buckets: Mapping[str, str | None], now: datetime,
        limits: Mapping[str, Mapping[str, tuple[int, timedelta]]] = DEFAULT_LIMITS) -> None:
    """Count one attempt at `action`; raise RateLimited when any bucket is over its limit."""
    rules = limits[action]
    for kind, value in buckets.items():
        if not value or kind not in rules:
            continue
        allowed, window = rules[kind]
        bucket = f"{kind}:{value}"[:80]
        seen = db.session.scalar(select(func.count()).select_from(RateEvent).where(
            RateEvent.action == action, RateEvent.bucket == bucket, RateEvent.at > now - window))
        if seen >= allowed:
            minutes = int(window.total_seconds() // 60)
            raise RateLimited(f"操作过于频繁，请 {minutes} 分钟后再试", {"_form": [kind]})
        db.session.add(RateEvent(action=action, bucket=bucket, at=now))
    db.session.flush()


def forget_old(now: datetime) -> int:
    """Drop attempts older than two days (the worker's housekeeping job)."""
    result = db.session.execute(delete(RateEvent).where(RateEvent.at < now - KEEP))
    return result.rowcount or 0
