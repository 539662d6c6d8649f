"""One time-zone setting (TIMEZONE) read everywhere through app.clock.local_zone()."""

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from app import create_app
from app.calendar import WorkCalendar
from app.clock import DEFAULT_TIMEZONE, local_zone

APP = Path(__file__).resolve().parents[2] / "app"


def test_outside_an_app_the_zone_is_beijing_time():
    assert local_zone() == ZoneInfo(DEFAULT_TIMEZONE) == ZoneInfo("Asia/Shanghai")


def test_the_setting_moves_where_a_day_ends(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'z.sqlite3'}",
                      "TIMEZONE": "Asia/Urumqi"})
    start = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)  # Tue 01:00 in Beijing, still Mon 23:00 in Urumqi
    with app.app_context():
        assert local_zone() == ZoneInfo("Asia/Urumqi")
        due = WorkCalendar(source=_AllWorkdays()).add_working_days(start, 1).due
        assert due.tzinfo == ZoneInfo("Asia/Urumqi") and (due.day, due.hour) == (3, 23)  # Beijing: 4th
    assert local_zone() == ZoneInfo("Asia/Shanghai")


def test_no_module_names_a_zone_of_its_own():
    offenders = [str(path.relative_to(APP)) for path in APP.rglob("*.py")
                 if path.name != "clock.py" and ("ZoneInfo(" in path.read_text()
                                                 or "Asia/Shanghai" in path.read_text())]
    assert offenders == []


class _AllWorkdays:
    """A day source in which every day is a working day."""

    def day_info(self, day):
        from app.calendar import DayInfo  # noqa: PLC0415

        return DayInfo(day=day, is_workday=True, name=None, estimated=False)
