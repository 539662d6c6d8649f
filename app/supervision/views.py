"""督办: the overdue audit list, department on-time rates, supervision orders, case drill-down."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Blueprint, Response, current_app, render_template, request
from flask_login import login_required
from sqlalchemy import select

from app.clock import local_zone
from app.extensions import db
from app.reports.rates import BY_KEY
from app.supervision import overdue, schemas, services, stats
from app.supervision.access import scope_units, supervisor_scope, unit_in_scope
from app.supervision.export import handling_unit, order_label, overdue_workbook
from app.supervision.models import NOTICE_LABELS, ORDER_STATUS_LABELS
from app.supervision.overdue_facts import outcome_label
from app.supervision.policies import overdue_working_days_many
from app.ui import current_actor
from app.workflow.models import HumanTask

bp = Blueprint("supervision", __name__, url_prefix="/supervision")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _now() -> datetime:
    return current_app.extensions["onedoor.clock"].now()


def _labels() -> dict:
    return {"notice_labels": NOTICE_LABELS, "order_labels": ORDER_STATUS_LABELS}


@bp.get("/overdue")
@login_required
def overdue_list():
    """逾期台账: filters, sort, page."""
    scope = supervisor_scope(current_actor())
    filters = schemas.overdue_filter(request.args)
    unit = unit_in_scope(scope, filters.org_unit_id)
    now = _now()
    page = overdue.overdue_page(unit, filters, now)
    days = overdue_working_days_many([(r.task.due_at, r.task.completed_at or now) for r in page.rows])
    rows = [{"row": r, "unit": handling_unit(r), "order": order_label(r), "days": n,
             "outcome": outcome_label(r.task)}
            for r, n in zip(page.rows, days, strict=True)]
    return render_template("supervision/overdue.html", page=page, rows=rows, unit=unit,
                           filters=filters, units=scope_units(scope), options=overdue.filter_options(),
                           states=overdue.STATES, args=request.args.to_dict(), **_labels())


@bp.get("/overdue.xlsx")
@login_required
def overdue_export():
    """The filtered overdue list as Excel."""
    scope = supervisor_scope(current_actor())
    filters = schemas.overdue_filter(request.args)
    unit = unit_in_scope(scope, filters.org_unit_id)
    now = _now()
    rows = overdue.overdue_rows(unit, filters, now)
    body = overdue_workbook(rows, now, f"{unit.name}逾期案件台账")
    stamp = now.astimezone(local_zone()).strftime("%Y%m%d-%H%M")
    return Response(body, mimetype=XLSX, headers={
        "Content-Disposition": f"attachment; filename=overdue-{stamp}.xlsx"})


@bp.get("/departments")
@login_required
def departments():
    """按期办结率: per department or post, for a date range."""
    scope = supervisor_scope(current_actor())
    now = _now()
    unit_id, start, end = schemas.period(request.args, now.astimezone(local_zone()).date())
    unit = unit_in_scope(scope, unit_id)
    begin = datetime.combine(start, time(0), tzinfo=local_zone())
    finish = datetime.combine(end + timedelta(days=1), time(0), tzinfo=local_zone())
    rows = stats.department_stats(unit, begin, finish, now)
    return render_template("supervision/departments.html", rows=rows, unit=unit, start=start, end=end,
                           units=scope_units(scope), definition=BY_KEY["on_time_rate"].definition)


@bp.get("/orders")
@login_required
def orders():
    """督办单 of the supervised subtree."""
    scope = supervisor_scope(current_actor())
    status = request.args.get("status") or None
    if status not in {s.value for s in ORDER_STATUS_LABELS} | {None}:
        status = None
    return render_template("supervision/orders.html", orders=services.orders_in(scope, status),
                           status=status, **_labels())


@bp.get("/orders/<int:order_id>")
@login_required
def order(order_id: int):
    """One supervision order: the overdue task, the explanation and the review."""
    scope = supervisor_scope(current_actor())
    item = services.get_order(scope, order_id)
    tasks = db.session.scalars(select(HumanTask).where(HumanTask.instance_id == item.instance_id)
                               .order_by(HumanTask.created_at)).all() if item.instance_id else []
    return render_template("supervision/order.html", order=item, tasks=tasks, **_labels())
