"""组织机构 pages: the tree and its changes."""

from flask import render_template, request, url_for

from app.admin import confirm
from app.admin import org_tree as service
from app.admin.views import bp, confirm_first, form_int, now, scope, submit
from app.org.models import LEVEL_LABELS
from app.ui import current_actor


def _page(errors=None, message=None):
    unit_id = request.args.get("unit", type=int) or request.form.get("open", type=int)
    return render_template("admin/org.html", level=service.open_unit(scope(), unit_id),
                           levels=LEVEL_LABELS, errors=errors or {}, message=message,
                           form=request.form)


@bp.get("/org")
def org_tree():
    """The tree of the administered subtrees with add, rename, move and retire."""
    return _page()


@bp.post("/org/add")
def org_add():
    """Add a unit under a parent."""
    return submit(lambda: service.add_unit(
        scope(), form_int("parent_id", "上级单位"), request.form.get("code", ""),
        request.form.get("name", ""), actor=current_actor(), now=now()),
        lambda unit: f"已添加「{unit.name}」", _page)


@bp.post("/org/<int:unit_id>/rename")
def org_rename(unit_id: int):
    """Rename a unit."""
    return submit(lambda: service.rename_unit(scope(), unit_id, request.form.get("name", ""),
                                               actor=current_actor(), now=now()),
                  lambda unit: f"已改名为「{unit.name}」", _page)


@bp.post("/org/<int:unit_id>/move")
def org_move(unit_id: int):
    """Move a unit under another parent."""
    return submit(lambda: service.move_unit(scope(), unit_id, form_int("parent_id", "新的上级单位"),
                                             actor=current_actor(), now=now()),
                  lambda unit: f"已移动「{unit.name}」", _page)


@bp.post("/org/<int:unit_id>/retire")
def org_retire(unit_id: int):
    """Retire a unit, once the administrator has confirmed what that does."""
    return confirm_first(
        lambda: confirm.of_retiring(scope(), unit_id),
        lambda: service.retire_unit(scope(), unit_id, actor=current_actor(), now=now()),
        lambda unit: f"已撤销「{unit.name}」：不再受理新案件、不再分派新任务；已有案件和任务照常办理", _page,
        url_for("admin.org_tree", unit=request.form.get("open", type=int)))
