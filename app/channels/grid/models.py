"""Reports grid workers send from the 陇情e通 app: hazards, disputes, public sentiment."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model


class ReportKind(enum.Enum):
    """The three kinds of grid report."""

    HAZARD = "hazard"        # 安全隐患
    DISPUTE = "dispute"      # 矛盾纠纷
    SENTIMENT = "sentiment"  # 社情民意


class GridReport(Model):
    """One reported item; `external_id` (the app's item id) makes uploads idempotent."""

    __tablename__ = "grid_report"
    __table_args__ = (Index("ix_grid_report_unit_kind", "org_unit_id", "kind", "received_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    reporter: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    status: Mapped[str] = mapped_column(String(16))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("dispute_case.id"))
    received_at: Mapped[datetime]


class GridReportCapture(Model):
    """What the phone sent with a report besides its text: position and one photo."""

    __tablename__ = "grid_report_capture"

    report_id: Mapped[int] = mapped_column(ForeignKey("grid_report.id"), primary_key=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    accuracy_m: Mapped[float | None]
    captured_at: Mapped[datetime | None]
    photo: Mapped[bytes | None] = mapped_column(LargeBinary)
    photo_type: Mapped[str | None] = mapped_column(String(32))
