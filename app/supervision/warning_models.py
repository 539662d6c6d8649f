"""Risk early warning (风险预警): editable rule thresholds and the warnings raised."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model


class WarningRule(Model):
    """The thresholds of one rule (e.g. {"cases": 3, "days": 30}); no row: the code defaults."""

    __tablename__ = "warning_rule"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class RiskWarning(Model):
    """A warning raised to the center coordinators above `org_unit_id`, with its evidence.

    `dedupe_key` is unique: the same finding (same party and latest case, same grid and week,
    same red case and last activity) is raised once however often the sweep runs.
    """

    __tablename__ = "risk_warning"
    __table_args__ = (Index("ix_risk_warning_unit", "org_unit_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(32))
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    text: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    # The coordinator's handling (app/supervision/warning_handling.py): 签收, then 关闭 with a note.
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    note: Mapped[str | None] = mapped_column(Text)
