"""Likely duplicate cases (疑似重复): flagged at intake, merged or kept by a clerk."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model


class CaseDuplicate(Model):
    """`case_id` looks like `duplicate_of_id` (same party, category and grid, both open)."""

    __tablename__ = "case_duplicate"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("dispute_case.id"), unique=True)
    duplicate_of_id: Mapped[int] = mapped_column(ForeignKey("dispute_case.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))  # flagged | merged | kept
    reason: Mapped[str] = mapped_column(String(200))
    flagged_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
