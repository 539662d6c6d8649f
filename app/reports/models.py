"""Reports: snapshots the worker generates on schedule, and issued reports (immutable)."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.cases.models import Case
from app.extensions import Model
from app.workflow.models import HumanTask

# Indexes the reports need on tables other areas own, declared here (with the reports' migration)
# so that models and migrations agree: cases by received time, tasks by completion time.
Index("ix_dispute_case_received_at", Case.__table__.c.received_at, Case.__table__.c.org_unit_id)
Index("ix_human_task_completed", HumanTask.__table__.c.state, HumanTask.__table__.c.completed_at)


class ReportSnapshot(Model):
    """Indicators of one closed period for one org unit, computed by the worker (re-computable)."""

    __tablename__ = "report_snapshot"
    __table_args__ = (
        UniqueConstraint("kind", "org_unit_id", "period_start", name="uq_report_snapshot_kind"),
        Index("ix_report_snapshot_unit", "org_unit_id", "kind", "period_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    period_start: Mapped[date]
    period_end: Mapped[date]
    generated_at: Mapped[datetime]
    indicators: Mapped[dict[str, Any]] = mapped_column(JSON)


class IssuedReport(Model):
    """A report as issued (签发): the indicators, the recommendations and the rendered page, frozen.

    The migration adds triggers that refuse UPDATE and DELETE; one issue per unit, kind and period.
    """

    __tablename__ = "issued_report"
    __table_args__ = (
        UniqueConstraint("kind", "org_unit_id", "period_start", name="uq_issued_report_kind"),
        Index("ix_issued_report_unit", "org_unit_id", "issued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    period_start: Mapped[date]
    period_end: Mapped[date]
    title: Mapped[str] = mapped_column(String(200))
    indicators: Mapped[dict[str, Any]] = mapped_column(JSON)
    recommendations: Mapped[str] = mapped_column(Text, default="")
    html: Mapped[str] = mapped_column(Text)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    issued_by_label: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime]
