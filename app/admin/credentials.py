"""API keys and personal tokens for administrators: create (secret shown once), scope, revoke."""

from datetime import datetime

from sqlalchemy import select

from app.admin.changes import audit_change
from app.api import keys
from app.api.models import ApiKey, PersonalToken
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.org.models import User
from app.org.services import Actor


def all_keys() -> list[ApiKey]:
    """Every integration key, newest first (revoked ones stay for the record)."""
    return list(db.session.scalars(select(ApiKey).order_by(ApiKey.id.desc())))


def all_tokens() -> list[tuple[PersonalToken, User]]:
    """Every personal token with its owner, newest first."""
    return list(db.session.execute(select(PersonalToken, User).join(User, User.id == PersonalToken.user_id)
                                   .order_by(PersonalToken.id.desc())).all())


def _key_state(key: ApiKey) -> dict:
    return {"name": key.name, "prefix": key.prefix, "channels": key.channels,
            "org_unit_ids": key.org_unit_ids, "rate_limit": key.rate_limit,
            "revoked": key.revoked_at is not None}


def create_key(name: str, channels: list[str], unit_codes: str, rate_limit: str, *, actor: Actor,
               now: datetime) -> tuple[ApiKey, str]:
    """A new integration key limited to channels and org subtrees; the secret is shown once."""
    if not (name or "").strip():
        raise ValidationFailed("密钥未创建", {"name": ["请填写用途名称"]})
    if not (rate_limit or "").strip().isdigit() or not 1 <= int(rate_limit) <= 100000:
        raise ValidationFailed("密钥未创建", {"rate_limit": ["每分钟请求上限应为 1–100000 的整数"]})
    codes = [c for c in (unit_codes or "").replace("，", ",").split(",") if c.strip()]
    key, secret = keys.create_key(name.strip(), channels, [c.strip() for c in codes],
                                  rate_limit=int(rate_limit), now=now)
    audit_change(actor, "api_key.created", key.prefix, None, _key_state(key), now=now)
    return key, secret


def revoke_key(key_id: int, *, actor: Actor, now: datetime) -> ApiKey:
    """Revoke an integration key."""
    key = db.session.get(ApiKey, key_id)
    before = _key_state(key) if key else None
    key = keys.revoke_key(key_id, now)
    audit_change(actor, "api_key.revoked", key.prefix, before, _key_state(key), now=now)
    return key


def create_token(username: str, name: str, *, actor: Actor, now: datetime) -> tuple[PersonalToken, str]:
    """A personal token for a user; the secret is shown once."""
    if not (name or "").strip():
        raise ValidationFailed("令牌未创建", {"token_name": ["请填写用途名称"]})
    try:
        token, secret = keys.create_token((username or "").strip(), name.strip(), now)
    except NotFound as exc:
        raise ValidationFailed("令牌未创建", {"username": [exc.message]}) from None
    audit_change(actor, "personal_token.created", token.prefix, None,
                 {"user": username, "name": token.name, "revoked": False}, now=now)
    return token, secret


def revoke_token(token_id: int, *, actor: Actor, now: datetime) -> PersonalToken:
    """Revoke a personal token."""
    token = keys.revoke_token(token_id, now)
    audit_change(actor, "personal_token.revoked", token.prefix, {"revoked": False},
                 {"revoked": True}, now=now)
    return token
