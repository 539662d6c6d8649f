"""`flask calendar seed|set|publish-year|show`: the admin's tools for the working-day table."""

import json
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app.calendar.models import CalendarDay
from app.calendar.store import publish_year, seed_from_package, set_day
from app.extensions import db
from app.unit_of_work import run_unit

calendar = AppGroup("calendar", help="工作日历：从 chinesecalendar 导入、修改某天、录入新年度安排。")


def _now():
    return current_app.extensions["onedoor.clock"].now()


@calendar.command("seed")
def seed_command() -> None:
    """Fill the table from the chinesecalendar package (only days it lacks)."""
    added = run_unit(lambda: seed_from_package(_now()))
    click.echo(f"已导入 {added} 天")


@calendar.command("set")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--workday/--rest", required=True, help="工作日或休息日。")
@click.option("--name", default=None, help="节假日名称，如「春节」「调休上班」。")
def set_command(day, workday: bool, name: str | None) -> None:
    """Mark one day as a working day or a rest day."""
    run_unit(lambda: set_day(day.date(), is_workday=workday, name=name, now=_now()))
    kind = "工作日" if workday else "休息日"
    click.echo(f"{day.date().isoformat()}: {kind}{f'（{name}）' if name else ''}")


@calendar.command("publish-year")
@click.argument("year", type=int)
@click.argument("schedule", type=click.File(encoding="utf-8"))
def publish_command(year: int, schedule) -> None:
    """Enter a year's published schedule from JSON: {"rest": {"2027-01-01": "元旦"}, "make_up": ["…"]}."""
    data = json.load(schedule)
    rest = {date.fromisoformat(k): v for k, v in data.get("rest", {}).items()}
    make_up = [date.fromisoformat(d) for d in data.get("make_up", [])]
    if any(d.year != year for d in [*rest, *make_up]):
        raise click.ClickException("日期不属于该年度")
    written = run_unit(lambda: publish_year(year, rest, make_up, now=_now()))
    click.echo(f"{year} 年：已写入 {written} 天，其中休息日 {len(rest)} 天、调休上班 {len(make_up)} 天")


@calendar.command("show")
@click.argument("year", type=int)
def show_command(year: int) -> None:
    """List the year's holidays and make-up working days."""
    rows = db.session.scalars(select(CalendarDay).where(
        CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31),
        CalendarDay.name.is_not(None)).order_by(CalendarDay.day))
    for row in rows:
        kind = "工作日" if row.is_workday else "休息日"
        click.echo(f"{row.day.isoformat()} {kind} {row.name} [{row.source}]")
