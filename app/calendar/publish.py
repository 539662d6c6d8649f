"""Reading a published State Council schedule typed or pasted by an administrator.

One day per line: `2027-01-01 休 元旦` (a rest day with its holiday name) or
`2027-02-07 班` (a make-up working day). Other days of the year follow the weekday.
"""

from dataclasses import dataclass, field
from datetime import date

from app.errors import ValidationFailed

REST, WORK = ("休", "rest"), ("班", "work")


@dataclass
class Schedule:
    """A year's rest days (with names) and make-up working days."""

    year: int
    rest_days: dict[date, str] = field(default_factory=dict)
    make_up_days: list[date] = field(default_factory=list)


def _line(number: int, text: str, year: int, schedule: Schedule) -> str | None:
    parts = text.split()
    try:
        day = date.fromisoformat(parts[0])
    except ValueError:
        return f"第{number}行：日期「{parts[0]}」格式不正确，应为 {year}-01-01 的形式"
    if day.year != year:
        return f"第{number}行：{day} 不在 {year} 年"
    kind = parts[1] if len(parts) > 1 else ""
    if kind in REST:
        schedule.rest_days[day] = " ".join(parts[2:]) or "休息日"
    elif kind in WORK:
        schedule.make_up_days.append(day)
    else:
        return f"第{number}行：第二项应为「休」或「班」，而不是「{kind}」"
    return None


def parse_schedule(text: str, year: int) -> Schedule:
    """The schedule in `text`; every bad line named in Chinese, nothing half-read."""
    schedule, problems = Schedule(year), []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        if raw.strip() and not raw.strip().startswith("#"):
            problem = _line(number, raw.strip(), year, schedule)
            if problem:
                problems.append(problem)
    if not problems and not schedule.rest_days:
        problems.append("没有读到任何休息日")
    if problems:
        raise ValidationFailed("日历未导入", {"schedule": problems})
    return schedule
