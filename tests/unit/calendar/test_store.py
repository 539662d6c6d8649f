"""The working-day table: seeded from the package, edited by an admin, read by every deadline."""

import json
from datetime import date, datetime

from sqlalchemy import func, select

from app.calendar import WorkCalendar, schedule_published
from app.calendar.models import CalendarDay
from app.calendar.store import SOURCE, publish_year, seed_from_package, set_day
from app.extensions import db
from app.unit_of_work import run_unit
from tests.conftest import SHANGHAI

CAL = WorkCalendar()  # the default source, as diagrams' helpers use it


def test_an_empty_table_falls_back_to_the_package(app):
    assert not CAL.is_workday(date(2026, 10, 1))
    assert CAL.is_workday(date(2026, 10, 10))  # make-up Saturday
    assert not schedule_published(date(2027, 1, 4))


def test_seeded_table_matches_the_package_and_admin_edits_move_deadlines(app, clock):
    added = run_unit(lambda: seed_from_package(clock.now()))
    assert added == db.session.scalar(select(func.count()).select_from(CalendarDay)) > 8000
    assert run_unit(lambda: seed_from_package(clock.now())) == 0
    start = datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI)  # Tuesday
    assert CAL.add_working_days(start, 1).due.date() == date(2026, 3, 11)
    run_unit(lambda: set_day(date(2026, 3, 11), is_workday=False, name="临时停工", now=clock.now()))
    moved = CAL.add_working_days(start, 1)
    assert (moved.due.date(), moved.estimated) == (date(2026, 3, 12), False)


def test_a_published_year_stops_being_estimated(app, clock):
    run_unit(lambda: seed_from_package(clock.now()))
    start = datetime(2026, 12, 30, 9, 0, tzinfo=SHANGHAI)
    guess = CAL.add_working_days(start, 2)
    assert guess.estimated and guess.due.date() == date(2027, 1, 1)
    run_unit(lambda: publish_year(2027, {date(2027, 1, 1): "元旦"}, [], now=clock.now()))
    known = CAL.add_working_days(start, 2)
    assert (known.due.date(), known.estimated) == (date(2027, 1, 4), False)
    assert schedule_published(date(2027, 6, 1))


def test_cli_set_and_publish_year(app, runner, clock, tmp_path):
    assert "已导入" in runner.invoke(args=["calendar", "seed"]).output
    result = runner.invoke(args=["calendar", "set", "2026-05-06", "--rest", "--name", "防汛停工"])
    assert result.exit_code == 0, result.output
    schedule = tmp_path / "2027.json"
    schedule.write_text(json.dumps({"rest": {"2027-02-06": "春节"}, "make_up": ["2027-02-13"]}),
                        encoding="utf-8")
    published = runner.invoke(args=["calendar", "publish-year", "2027", str(schedule)])
    assert "已写入 365 天" in published.output
    SOURCE.forget()
    assert not CAL.is_workday(date(2026, 5, 6))
    assert CAL.is_workday(date(2027, 2, 13))
    shown = runner.invoke(args=["calendar", "show", "2027"]).output
    assert "2027-02-06 休息日 春节 [admin]" in shown
    wrong_year = tmp_path / "bad.json"
    wrong_year.write_text(json.dumps({"rest": {"2028-01-01": "元旦"}}), encoding="utf-8")
    assert runner.invoke(args=["calendar", "publish-year", "2027", str(wrong_year)]).exit_code != 0


def test_an_unmigrated_database_falls_back_to_the_package(tmp_path):
    from app import create_app  # noqa: PLC0415

    bare = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'bare.sqlite3'}"})
    with bare.app_context():
        SOURCE.forget()
        assert not CAL.is_workday(date(2026, 10, 1)) and CAL.is_workday(date(2026, 10, 10))
        db.engine.dispose()


def test_reading_the_calendar_inside_a_unit_of_work_does_not_flush(app, clock):
    from app.org.models import OrgLevel, OrgUnit  # noqa: PLC0415

    run_unit(lambda: seed_from_package(clock.now()))
    SOURCE.forget()
    pending = OrgUnit(code="x-1", name="待写入", level=OrgLevel.GRID, path="/")
    db.session.add(pending)
    CAL.add_working_days(datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI), 1)
    assert pending in db.session.new  # still pending: the calendar read did not flush it
    db.session.rollback()
