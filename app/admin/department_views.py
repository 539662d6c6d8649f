"""部门与轮驻 pages."""

from flask import render_template, request, url_for
from sqlalchemy import select

from app.admin import confirm
from app.admin import departments as service
from app.admin.views import bp, confirm_first, form_int, now, scope, submit
from app.clock import local_zone
from app.extensions import db
from app.org.models import OrgUnit
from app.ui import current_actor


def _page(errors=None, message=None):
    everything = service.departments_in(scope())
    served = list({d.org_unit_id: d.org_unit for d in everything}.values())
    wanted = request.args.get("unit", type=int) or request.form.get("open", type=int)
    shown = wanted if wanted in {u.id for u in served} else (served[0].id if served else None)
    rows = [d for d in everything if d.org_unit_id == shown]
    units = db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(scope().unit_ids()),
                                                     OrgUnit.retired_at.is_(None))
                               .order_by(OrgUnit.code)).all()
    today = now().astimezone(local_zone()).date()
    periods = service.periods_of([d.id for d in rows])
    further = service.further_units_of([d.id for d in rows])
    return render_template("admin/departments.html", rows=rows, periods=periods, units=units,
                           served=served, shown=shown, further=further,
                           modes=service.MODE_LABELS, today=today, errors=errors or {},
                           message=message, form=request.form)


@bp.get("/departments", endpoint="departments")
def departments_page():
    """Departments in scope with their stationing and 轮驻 periods."""
    return _page()


@bp.post("/departments/new")
def department_add():
    """Add a department at a unit."""
    form = request.form
    return submit(lambda: service.add_department(
        scope(), form_int("org_unit_id", "服务单位"), form.get("code", ""), form.get("name", ""),
        form.get("stationing", ""), actor=current_actor(), now=now()),
        lambda d: f"已添加「{d.name}」", _page)


@bp.post("/departments/<int:department_id>")
def department_update(department_id: int):
    """Change the stationing mode or the unit served."""
    return submit(lambda: service.update_department(
        scope(), department_id, request.form.get("stationing", ""),
        form_int("org_unit_id", "服务单位"), actor=current_actor(), now=now()),
        lambda d: f"已修改「{d.name}」", _page)


@bp.post("/departments/<int:department_id>/periods")
def period_add(department_id: int):
    """Station a 轮驻 department for a period."""
    return submit(lambda: service.add_period(
        scope(), department_id, request.form.get("starts_on", ""), request.form.get("ends_on", ""),
        actor=current_actor(), now=now()), "已设置轮驻期", _page)


@bp.post("/departments/<int:department_id>/rotate-out")
def rotate_out(department_id: int):
    """End the current 轮驻 period today, once the administrator has confirmed what that does."""
    return confirm_first(
        lambda: confirm.of_rotating_out(scope(), department_id, now()),
        lambda: service.rotate_out(scope(), department_id, actor=current_actor(), now=now()),
        lambda d: f"「{d.name}」已轮出，不再接收新任务；已认领的任务继续办理，未认领的转由综治中心调度办理",
        _page,
        url_for("admin.departments", unit=request.form.get("open", type=int)))


@bp.post("/departments/<int:department_id>/served")
def served_add(department_id: int):
    """Record a further unit the department serves."""
    return submit(lambda: service.add_served_unit(
        scope(), department_id, form_int("served_unit_id", "服务单位"), actor=current_actor(), now=now()),
        lambda d: f"「{d.name}」已增加服务单位", _page)


@bp.post("/departments/<int:department_id>/served/<int:org_unit_id>/remove")
def served_remove(department_id: int, org_unit_id: int):
    """Stop the department serving a further unit."""
    return submit(lambda: service.remove_served_unit(
        scope(), department_id, org_unit_id, actor=current_actor(), now=now()),
        lambda d: f"「{d.name}」已移除该服务单位，该单位不再向其分派新任务；已有任务继续办理", _page)
