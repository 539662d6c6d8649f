"""Credentials of the API: integration keys, personal tokens and per-key rate windows."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model


class ApiKey(Model):
    """A key for one integration (12345, 陇情e通, 公安 …), stored as a SHA-256 hash.

    `channels` limits which intake channels it may open cases for; `org_unit_ids` the
    subtrees it may act in (empty: everywhere). Revoked keys stay for the audit trail.
    """

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    org_unit_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    rate_limit: Mapped[int] = mapped_column(default=600)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class PersonalToken(Model):
    """A user's personal API token (`flask api token create <username>`), stored hashed."""

    __tablename__ = "personal_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class RateWindow(Model):
    """Requests of one key in one minute: a fixed-window counter bumped with UPDATE … RETURNING."""

    __tablename__ = "api_rate_window"

    key_id: Mapped[int] = mapped_column(ForeignKey("api_key.id"), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
