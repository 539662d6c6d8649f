"""API keys for integrations and personal tokens for users: created, verified, revoked, rate-limited.

Secrets are random 256-bit strings shown once; only their SHA-256 is stored, so a
plain hash (not a slow password hash) is enough and lookups are one indexed query.
"""

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Select, bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError

from app.api.models import ApiKey, PersonalToken, RateWindow
from app.channels.scope import unit_by_code
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.org.models import Membership, User
from app.org.services import Actor, actor_from_rows
from app.vocab import API_KEY_CHANNELS

KEY_PREFIX = "odk_"
TOKEN_PREFIX = "odp_"
LAST_USED_PRECISION = timedelta(minutes=1)


def digest(secret: str) -> str:
    """The stored form of a secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def create_key(name: str, channels: Iterable[str], org_unit_codes: Iterable[str], *,
               rate_limit: int, now: datetime) -> tuple[ApiKey, str]:
    """A new integration key; returns the row and the secret (shown once)."""
    channels = sorted(set(channels))
    unknown = [c for c in channels if c not in API_KEY_CHANNELS]
    if unknown:
        raise ValidationFailed("未知的渠道", {"channels": [f"未知的渠道「{c}」" for c in unknown]})
    units = [unit_by_code(code, "org_units").id for code in org_unit_codes]
    secret = _new_secret(KEY_PREFIX)
    key = ApiKey(name=name, prefix=secret[:12], key_hash=digest(secret), channels=channels,
                 org_unit_ids=units, rate_limit=rate_limit, created_at=now)
    db.session.add(key)
    db.session.flush()
    return key, secret


def revoke_key(key_id: int, now: datetime) -> ApiKey:
    """Revoke a key; requests with it fail from now on."""
    key = db.session.get(ApiKey, key_id)
    if key is None:
        raise NotFound("API 密钥不存在")
    key.revoked_at = key.revoked_at or now
    db.session.flush()
    return key


def create_token(username: str, name: str, now: datetime) -> tuple[PersonalToken, str]:
    """A personal token for a user; returns the row and the secret (shown once)."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        raise NotFound(f"用户「{username}」不存在或已停用")
    secret = _new_secret(TOKEN_PREFIX)
    token = PersonalToken(user_id=user.id, name=name, prefix=secret[:12],
                          token_hash=digest(secret), created_at=now)
    db.session.add(token)
    db.session.flush()
    return token, secret


def revoke_token(token_id: int, now: datetime) -> PersonalToken:
    """Revoke a personal token."""
    token = db.session.get(PersonalToken, token_id)
    if token is None:
        raise NotFound("个人令牌不存在")
    token.revoked_at = token.revoked_at or now
    db.session.flush()
    return token


def find_key(secret: str) -> ApiKey | None:
    """The live key with this secret."""
    key = db.session.scalar(select(ApiKey).where(ApiKey.key_hash == digest(secret)))
    return key if key is not None and key.revoked_at is None else None


@cache
def _token_actor_statement() -> Select:
    """Built once (its cache key with it): Core over the tables, no ORM entities to load."""
    tokens, users, members = PersonalToken.__table__, User.__table__, Membership.__table__
    return (select(tokens.c.id, tokens.c.user_id, tokens.c.revoked_at, tokens.c.last_used_at,
                   users.c.active, users.c.display_name,  # what `actor_from_rows` reads
                   members.c.department_id, members.c.org_unit_id, members.c.role)
            .select_from(tokens.join(users, users.c.id == tokens.c.user_id)
                         .outerjoin(members, members.c.user_id == users.c.id))
            .where(tokens.c.token_hash == bindparam("p_hash")))


@dataclass(frozen=True)
class TokenUse:
    """A live personal token's user, and whether its last-used time is due for a write."""

    actor: Actor
    token_id: int
    stale: bool


def token_actor(secret: str, now: datetime) -> TokenUse | None:
    """The user of the live token with this secret as an Actor (None: no such token, or revoked),
    read in one round trip: the token joined with its user and the user's memberships. Read on
    every request, never cached across requests: a revoked token, a deactivated user or a
    changed membership counts at once. Writes nothing; `touch_token` when `stale`.
    """
    rows = db.session.execute(_token_actor_statement(), {"p_hash": digest(secret)}).all()
    if not rows or rows[0].revoked_at is not None:
        return None
    first = rows[0]
    stale = first.last_used_at is None or now - first.last_used_at >= LAST_USED_PRECISION
    return TokenUse(actor_from_rows(first.user_id, rows), first.id, stale)


def touch_token(token_id: int, now: datetime) -> None:
    """Keep a token's last-used time, to the minute: writing it on every request would make
    every request of a busy script a write transaction on the same row; once a minute is as
    much as anyone reads it for."""
    db.session.execute(update(PersonalToken).where(PersonalToken.id == token_id).values(last_used_at=now))


def hit(key_id: int, now: datetime) -> int:
    """Count one request of the key in the current minute; return the minute's count so far.

    A fixed window per key and minute, bumped with UPDATE … RETURNING: atomic on both
    databases and shared by every gunicorn worker and node.
    """
    window = now.replace(second=0, microsecond=0)
    bump = (update(RateWindow)
            .where(RateWindow.key_id == key_id, RateWindow.window_start == window)
            .values(count=RateWindow.count + 1).returning(RateWindow.count))
    db.session.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=now))
    count = db.session.execute(bump).scalar()
    if count is not None:
        return count
    try:
        with db.session.begin_nested():
            db.session.add(RateWindow(key_id=key_id, window_start=window, count=1))
    except IntegrityError:  # another request opened the window first
        return db.session.execute(bump).scalar() or 1
    db.session.execute(delete(RateWindow).where(RateWindow.key_id == key_id,
                                                RateWindow.window_start < window - timedelta(hours=1)))
    return 1
