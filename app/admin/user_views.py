"""用户与岗位 pages: the user list, one user's memberships, creating and importing users."""

from flask import Response, render_template, request
from sqlalchemy import select

from app.admin import user_import, users
from app.admin.views import bp, now, scope, submit
from app.errors import ValidationFailed
from app.extensions import db
from app.org.models import ROLE_LABELS, Department, OrgUnit
from app.ui import current_actor
from app.unit_of_work import run_unit


def places() -> list[tuple[str, str]]:
    """Where a role can be given in the administrator's scope: ("u:id" | "d:id", label)."""
    units = db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(scope().unit_ids()),
                                                     OrgUnit.retired_at.is_(None))
                               .order_by(OrgUnit.code)).all()
    departments = db.session.scalars(
        select(Department).join(Department.org_unit)
        .where(Department.org_unit_id.in_(scope().unit_ids()), OrgUnit.retired_at.is_(None))
        .order_by(Department.org_unit_id, Department.id)).all()
    return ([(f"u:{u.id}", u.name) for u in units]
            + [(f"d:{d.id}", f"{d.org_unit.name}{d.name}") for d in departments])


def spec_from_form() -> users.MembershipSpec:
    """The membership chosen in a form: a place ("u:id" or "d:id") and a role."""
    kind, _, number = (request.form.get("place") or "").partition(":")
    if kind not in ("u", "d") or not number.isdigit():
        raise ValidationFailed("请选择单位或部门", {"membership.org_unit": ["请选择单位或部门"]})
    role = request.form.get("role", "")
    if kind == "d":
        return users.MembershipSpec(org_unit_id=None, department_id=int(number), role=role)
    return users.MembershipSpec(org_unit_id=int(number), role=role)


def _list(errors=None, message=None, created=None):
    return render_template("admin/users.html", users=users.users_in(scope()), places=places(),
                           roles=ROLE_LABELS, errors=errors or {}, message=message,
                           form=request.form, created=created, label=users.membership_label)


@bp.get("/users", endpoint="users")
def users_page():
    """Every user in scope with their memberships."""
    return _list()


@bp.post("/users/new")
def user_create():
    """Create a user with a first membership; show the one-time password once."""
    form = request.form
    try:
        user, password = run_unit(lambda: users.create_user(
            scope(), form.get("username", ""), form.get("display_name", ""), [spec_from_form()],
            actor=current_actor(), now=now()))
    except ValidationFailed as exc:
        return _list(errors=exc.errors, message=exc.message), 422
    return _list(created=(user.username, password))


def _detail(user_id: int, errors=None, message=None, password=None):
    user = users.manageable(scope(), user_id)
    return render_template("admin/user.html", user=user, places=places(), roles=ROLE_LABELS,
                           errors=errors or {}, message=message, password=password,
                           label=users.membership_label)


@bp.get("/users/<int:user_id>")
def user_detail(user_id: int):
    """One user: memberships, disable, reset password."""
    return _detail(user_id)


@bp.post("/users/<int:user_id>/memberships")
def membership_add(user_id: int):
    """Give the user one more role."""
    return submit(lambda: users.add_membership(scope(), user_id, spec_from_form(),
                                               actor=current_actor(), now=now()),
                  "已添加岗位", _detail, user_id=user_id)


@bp.post("/users/<int:user_id>/memberships/<int:membership_id>/remove")
def membership_remove(user_id: int, membership_id: int):
    """Take a role away."""
    return submit(lambda: users.remove_membership(scope(), membership_id, actor=current_actor(),
                                                  now=now()), "已移除岗位", _detail, user_id=user_id)


@bp.post("/users/<int:user_id>/active")
def user_active(user_id: int):
    """Disable or enable the user."""
    active = request.form.get("active") == "1"
    return submit(lambda: users.set_active(scope(), user_id, active, actor=current_actor(), now=now()),
                  "已启用该用户" if active else "已停用该用户", _detail, user_id=user_id)


@bp.post("/users/<int:user_id>/phone")
def user_phone(user_id: int):
    """Set or clear the user's mobile number (urgent-task SMS)."""
    phone = request.form.get("phone", "")
    return submit(lambda: users.set_phone(scope(), user_id, phone, actor=current_actor(), now=now()),
                  "已保存手机号", _detail, user_id=user_id)


@bp.post("/users/<int:user_id>/reset")
def user_reset(user_id: int):
    """Reset the password; the one-time password is shown once."""
    _, password = run_unit(lambda: users.reset(scope(), user_id, actor=current_actor(), now=now()))
    return _detail(user_id, password=password)


def _import_page(rows=None, errors=None, message=None):
    return render_template("admin/import.html", rows=rows, errors=errors or {}, message=message,
                           header=user_import.HEADER)


@bp.route("/users/import", methods=["GET", "POST"])
def users_import():
    """Upload an Excel sheet of users and memberships: all rows or none, a result per row."""
    if request.method == "GET":
        return _import_page()
    upload = request.files.get("file")
    data = upload.read() if upload else b""
    try:
        if not data:
            raise ValidationFailed("请选择文件", {"file": ["请选择要导入的 Excel 文件"]})
        rows = run_unit(lambda: user_import.import_users(scope(), data, actor=current_actor(),
                                                         now=now()))
    except user_import.ImportRefused as exc:
        return _import_page(rows=exc.rows, errors=exc.errors, message=exc.message), 422
    except ValidationFailed as exc:
        return _import_page(errors=exc.errors, message=exc.message), 422
    return _import_page(rows=rows, message=None)


@bp.get("/users/import-template.xlsx")
def users_import_template():
    """The sheet to fill in."""
    return Response(user_import.template_workbook(), headers={
        "Content-Disposition": "attachment; filename*=UTF-8''%E7%94%A8%E6%88%B7%E5%AF%BC%E5%85%A5.xlsx"},
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
