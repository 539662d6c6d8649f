"""系统管理: the admin blueprint, its guard, its home page and the section menu."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, overload

from flask import Blueprint, current_app, g, render_template
from flask_login import current_user

from app.admin import home
from app.admin.access import AdminScope, admin_scope, is_admin, is_city_admin, require_citywide
from app.org.services import Actor
from app.ui import current_actor

bp = Blueprint("admin", __name__, url_prefix="/admin")


@dataclass(frozen=True)
class Section:
    """An entry of the admin menu, with the check its pages make."""

    endpoint: str
    label: str
    allowed: Callable[[Actor], bool]


SECTIONS = [Section("admin.org_tree", "组织机构", is_admin),
            Section("admin.departments", "部门与轮驻", is_admin),
            Section("admin.users", "用户与岗位", is_admin),
            Section("admin.lanes", "泳道规则", is_city_admin),
            Section("admin.calendar", "工作日历", is_city_admin),
            Section("admin.policies", "期限规则", is_city_admin),
            Section("admin.keys", "接口密钥", is_city_admin),
            Section("admin.audit", "审计日志", is_city_admin)]


@bp.before_request
def _admins_only():
    """Sign-in first; then administrators only (the predicate of the 系统管理 menu entry)."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    g.admin_scope = admin_scope(current_actor())
    return None


@bp.context_processor
def _sections() -> dict:
    actor = current_actor()
    return {"sections": [s for s in SECTIONS if s.allowed(actor)], "scope": g.get("admin_scope")}


def scope() -> AdminScope:
    """The administrator's scope, checked by the blueprint guard."""
    return g.admin_scope


def citywide() -> AdminScope:
    """The scope of a city administrator; Forbidden for a county administrator."""
    require_citywide(g.admin_scope)
    return g.admin_scope


def now():
    """The app's clock reading."""
    return current_app.extensions["onedoor.clock"].now()


@bp.get("/")
def index():
    """The administrator's home: what each section holds in their scope."""
    return render_template("admin/index.html", counts=home.counts(scope()))


@overload
def form_int(name: str, label: str, *, required: Literal[True] = ...) -> int: ...
@overload
def form_int(name: str, label: str, *, required: bool) -> int | None: ...
def form_int(name: str, label: str, *, required: bool = True) -> int | None:
    """An integer field of the posted form; a Chinese error naming the field otherwise."""
    from flask import request  # noqa: PLC0415

    from app.errors import ValidationFailed  # noqa: PLC0415

    raw = (request.form.get(name) or "").strip()
    if not raw and not required:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValidationFailed(f"{label}无效", {name: [f"请选择{label}"]}) from None


def submit(work: Callable[[], Any], done: str | Callable[[Any], str], page: Callable[..., Any],
           **page_args: Any) -> Any:
    """Run `work` as one unit of work and go back to the page; on invalid input show the page
    again with each error next to its field (422), nothing written."""
    from flask import flash, redirect, request  # noqa: PLC0415

    from app.errors import ValidationFailed  # noqa: PLC0415
    from app.unit_of_work import run_unit  # noqa: PLC0415

    try:
        result = run_unit(work)
    except ValidationFailed as exc:
        return page(errors=exc.errors, message=exc.message, **page_args), 422
    flash(done(result) if callable(done) else done)
    return redirect(request.form.get("back") or request.referrer or request.path)


def confirm_first(ask: Callable, work: Callable, done: str | Callable, page: Callable, cancel: str):
    """Ask before a change that stops new work (retire, rotate out): a post without
    `confirmed` shows what will happen (or why it cannot) and changes nothing."""
    from flask import render_template, request  # noqa: PLC0415

    from app.errors import ValidationFailed  # noqa: PLC0415

    if request.form.get("confirmed") == "1":
        return submit(work, done, page)
    try:
        step = ask()
    except ValidationFailed as exc:
        return page(errors=exc.errors, message=exc.message), 422
    return render_template("admin/confirm.html", step=step, action=request.path,
                           open=request.form.get("open", type=int), cancel=cancel)
