"""审计日志 pages: filter and export."""

from flask import Response, render_template, request

from app.admin import audit_log
from app.admin.audit_labels import ACTIONS, action_label
from app.admin.views import bp, citywide
from app.errors import ValidationFailed


def _filters():
    return audit_log.parse_filter(request.args)


@bp.get("/audit", endpoint="audit")
def audit_page():
    """Events newest first, filtered by who, what, case and date."""
    citywide()
    try:
        filters = _filters()
    except ValidationFailed as exc:
        return render_template("admin/audit.html", page=None, filters=None, args=request.args,
                               actions=audit_log.actions(), errors=exc.errors,
                               message=exc.message, text=audit_log.summary_text,
                               action_label=action_label, action_names=ACTIONS), 422
    return render_template("admin/audit.html", page=audit_log.events_page(filters), filters=filters,
                           args=request.args, actions=audit_log.actions(), errors={}, message=None,
                           text=audit_log.summary_text, action_label=action_label,
                           action_names=ACTIONS)


@bp.get("/audit.xlsx")
def audit_export():
    """The filtered events as Excel."""
    citywide()
    data = audit_log.export(_filters())
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition":
                             "attachment; filename*=UTF-8''%E5%AE%A1%E8%AE%A1%E6%97%A5%E5%BF%97.xlsx"})
