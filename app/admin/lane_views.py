"""泳道规则 pages: the rules and the preview."""

from flask import render_template, request
from sqlalchemy import select

from app.admin import lane_rules
from app.admin.views import bp, citywide, now, submit
from app.errors import ValidationFailed
from app.extensions import db
from app.org.models import LEVEL_LABELS, ROLE_LABELS, OrgUnit
from app.ui import current_actor


def _page(errors=None, message=None, shown=None):
    citywide()
    grids = db.session.scalars(select(OrgUnit).where(OrgUnit.retired_at.is_(None))
                               .order_by(OrgUnit.code)).all()
    return render_template("admin/lanes.html", rules=lane_rules.rules(), levels=LEVEL_LABELS,
                           roles=ROLE_LABELS, units=grids, errors=errors or {}, message=message,
                           form=request.form, args=request.args, shown=shown)


@bp.get("/lanes", endpoint="lanes")
def lanes_page():
    """The lane rules; with ?lane=&org_unit_id= the preview of who would receive a task."""
    shown = None
    if request.args.get("lane") and request.args.get("org_unit_id", type=int):
        try:
            shown = lane_rules.preview(request.args["lane"], request.args.get("org_unit_id", type=int),
                                       request.args.get("department_code"), now())
        except ValidationFailed as exc:
            return _page(errors=exc.errors, message=exc.message), 422
    return _page(shown=shown)


@bp.post("/lanes")
def lane_save():
    """Create or change a lane rule."""
    citywide()
    form = request.form
    return submit(lambda: lane_rules.save_rule(
        form.get("lane", ""), form.get("org_level", ""), form.get("department_code", ""),
        form.get("role", ""), form.get("description", ""), actor=current_actor(), now=now()),
        lambda rule: f"已保存泳道「{rule.lane}」的规则", _page)

