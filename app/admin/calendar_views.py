"""工作日历 and 期限规则 pages."""

from flask import render_template, request

from app.admin import calendar_admin, deadline_policies
from app.admin.views import bp, citywide, now, submit
from app.ui import current_actor


def _year() -> int:
    year = request.args.get("year", type=int) or request.form.get("year", type=int)
    return year if year and 2004 <= year <= 2100 else now().year


def _calendar(errors=None, message=None):
    citywide()
    year = _year()
    return render_template("admin/calendar.html", year=year, months=calendar_admin.year_view(year),
                           published=calendar_admin.published(year), errors=errors or {},
                           message=message, form=request.form)


@bp.get("/calendar", endpoint="calendar")
def calendar_page():
    """A year of working and rest days; change a day; import a published year."""
    return _calendar()


@bp.post("/calendar/day")
def calendar_day():
    """Mark one day a working or rest day."""
    citywide()
    form = request.form
    return submit(lambda: calendar_admin.change_day(form.get("day", ""), form.get("kind", ""),
                                                    form.get("name", ""), actor=current_actor(),
                                                    now=now()),
                  lambda row: f"已将 {row.day} 设为{'上班' if row.is_workday else '休息'}", _calendar)


@bp.post("/calendar/import")
def calendar_import():
    """Enter a published year's schedule."""
    citywide()
    form = request.form
    return submit(lambda: calendar_admin.import_year(form.get("year", ""), form.get("schedule", ""),
                                                     actor=current_actor(), now=now()),
                  lambda n: f"已导入 {form.get('year')} 年日历（{n} 天）", _calendar)


def _policies(errors=None, message=None):
    citywide()
    return render_template("admin/policies.html", rows=deadline_policies.rows(), errors=errors or {},
                           message=message, form=request.form)


@bp.get("/policies", endpoint="policies")
def policies_page():
    """The deadline thresholds per process and task."""
    return _policies()


@bp.post("/policies")
def policy_save():
    """Create or change a deadline policy."""
    citywide()
    form = request.form
    return submit(lambda: deadline_policies.save_policy(
        form.get("process_id", ""), form.get("bpmn_id", ""), form.get("warn_share", ""),
        form.get("chase_after", ""), form.get("supervise_after", ""), description=form.get("description", ""),
        actor=current_actor(), now=now()), "已保存期限规则", _policies)
