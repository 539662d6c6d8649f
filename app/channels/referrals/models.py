"""Referrals from other systems: police incidents (警情), petitions (信访), courts (诉前调解)."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model


class Referral(Model):
    """A case that came in with a source reference; the result goes back to the source."""

    __tablename__ = "referral"
    __table_args__ = (UniqueConstraint("kind", "source_ref", name="uq_referral_kind_source_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    source_ref: Mapped[str] = mapped_column(String(64))
    source_system: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[int] = mapped_column(ForeignKey("dispute_case.id"), unique=True)
    received_at: Mapped[datetime]
    result_sent_at: Mapped[datetime | None]
