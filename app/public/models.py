"""Citizen self-service (群众自助): SMS code challenges, the rate-limit ledger, satisfaction ratings."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.org.models import _enum


class Rating(enum.Enum):
    """满意 / 基本满意 / 不满意. 满意率 = (satisfied + basically_satisfied) ÷ rated."""

    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    DISSATISFIED = "dissatisfied"


RATING_LABELS = {Rating.SATISFIED: "满意", Rating.BASICALLY_SATISFIED: "基本满意",
                 Rating.DISSATISFIED: "不满意"}


class SmsChallenge(Model):
    """One SMS code sent to a phone. The browser holds `token`; the code itself is stored hashed.

    A challenge is consumed once (`used_at`), expires, and dies after MAX_ATTEMPTS wrong codes.
    """

    __tablename__ = "public_sms_challenge"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class RateBucket(Model):
    """How many attempts at a public form one bucket ("phone:…", "address:…", "case:…") made
    in one fixed window. One row per (action, bucket, window start), counted by an upsert.

    Kept in the database so every gunicorn worker counts the same attempts.
    """

    __tablename__ = "public_rate_bucket"
    __table_args__ = (Index("ix_public_rate_bucket_window_start", "window_start"),)

    action: Mapped[str] = mapped_column(String(16), primary_key=True)
    bucket: Mapped[str] = mapped_column(String(80), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(primary_key=True)
    hits: Mapped[int]


class SatisfactionRating(Model):
    """The applicant's rating of a closed case (one per case); feeds 满意率."""

    __tablename__ = "satisfaction_rating"
    __table_args__ = (Index("ix_satisfaction_rating_rated_at", "rated_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("dispute_case.id"), unique=True)
    rating: Mapped[Rating] = mapped_column(_enum(Rating, "satisfaction"))
    comment: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[datetime]
    review_instance_id: Mapped[str | None] = mapped_column(ForeignKey("process_instance.id"))
