"""Rate limits on public forms, per phone, per address and per case code, counted in the database.

Each (action, bucket) has one row per fixed window (`public_rate_bucket`); an attempt is one
`INSERT … ON CONFLICT DO UPDATE SET hits = hits + 1 RETURNING hits` on that row, in the
attempt's own unit of work before the form is handled. Why one statement: counting first and
inserting after let two requests racing at the edge of a limit both pass; the upsert takes the
row lock, so concurrent attempts are numbered 1, 2, 3 … and exactly `allowed` of them pass, on
every gunicorn worker and node (PostgreSQL and SQLite both speak this upsert). An attempt
refused by a bucket is rolled back with its unit of work, so refusals do not push the window on.
Fixed windows (aligned to the epoch) trade a burst of up to twice the limit across a window
boundary for one row per window instead of one per attempt.
"""

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.errors import OneDoorError
from app.extensions import db
from app.public.models import RateBucket
from app.unit_of_work import rows_changed

# action -> bucket kind -> (attempts allowed, window)
DEFAULT_LIMITS: dict[str, dict[str, tuple[int, timedelta]]] = {
    "sms_code": {"phone": (3, timedelta(minutes=15)), "address": (10, timedelta(hours=1))},
    "submit": {"phone": (10, timedelta(hours=1)), "address": (20, timedelta(hours=1))},
    "track": {"case": (10, timedelta(minutes=15)), "address": (30, timedelta(minutes=15))},
    "rate": {"case": (5, timedelta(hours=1)), "address": (20, timedelta(hours=1))},
    "open311": {"address": (30, timedelta(minutes=15))},
}
KEEP = timedelta(days=2)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class RateLimited(OneDoorError):
    """Too many attempts from this phone, address or for this case."""

    code = "rate_limited"
    http_status = 429


def window_start(now: datetime, window: timedelta) -> datetime:
    """The start of the fixed window of length `window` that holds `now`."""
    return EPOCH + (now - EPOCH) // window * window


def count_attempt(action: str, bucket: str, start: datetime) -> int:
    """Add one attempt to the bucket's window row (created at 1) and return its new count."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    values = insert(RateBucket).values(action=action, bucket=bucket, window_start=start, hits=1)
    statement = values.on_conflict_do_update(
        index_elements=[RateBucket.action, RateBucket.bucket, RateBucket.window_start],
        set_={"hits": RateBucket.hits + 1}).returning(RateBucket.hits)
    return db.session.execute(statement).scalar_one()


def hit(action: str, buckets: Mapping[str, str | None], now: datetime,
        limits: Mapping[str, Mapping[str, tuple[int, timedelta]]] = DEFAULT_LIMITS) -> None:
    """Count one attempt at `action`; raise RateLimited when any bucket is over its limit."""
    rules = limits[action]
    for kind, value in buckets.items():
        if not value or kind not in rules:
            continue
        allowed, window = rules[kind]
        if count_attempt(action, f"{kind}:{value}"[:80], window_start(now, window)) > allowed:
            minutes = int(window.total_seconds() // 60)
            raise RateLimited(f"操作过于频繁，请 {minutes} 分钟后再试", {"_form": [kind]})


def forget_old(now: datetime) -> int:
    """Drop windows that started more than two days ago (the worker's housekeeping job)."""
    return rows_changed(delete(RateBucket).where(RateBucket.window_start < now - KEEP))
