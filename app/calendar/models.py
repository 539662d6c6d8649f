"""The working-day table: every day of the published years, editable by an admin."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model


class CalendarDay(Model):
    """One day: working or not, and the holiday's name (seeded from `chinesecalendar`)."""

    __tablename__ = "calendar_day"

    day: Mapped[date] = mapped_column(primary_key=True)
    is_workday: Mapped[bool]
    name: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))  # package | admin
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
