"""报表: choose a unit and period, read it on screen or in print, export to Excel, issue (签发)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from markupsafe import Markup
from marshmallow import EXCLUDE, Schema, fields, validate

from app.inputs import Day
from app.reports import charts, services
from app.reports.excel import report_workbook
from app.reports.periods import KINDS, last_closed, period_containing
from app.supervision.access import scope_units, supervisor_scope, unit_in_scope
from app.supervision.schemas import load
from app.ui import current_actor
from app.unit_of_work import run_unit

bp = Blueprint("reports", __name__, url_prefix="/reports")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReportArgs(Schema):
    """Which report: unit, kind and any day inside the period."""

    class Meta:
        unknown = EXCLUDE

    org_unit_id = fields.Integer(load_default=None, allow_none=True)
    kind = fields.String(load_default="monthly", validate=validate.OneOf(list(KINDS)))
    day = Day(load_default=None, allow_none=True)


def _clock():
    return current_app.extensions["onedoor.clock"]


def _chosen(args):
    scope = supervisor_scope(current_actor())
    data = load(ReportArgs(), args)
    unit = unit_in_scope(scope, data["org_unit_id"])
    day = data["day"] or last_closed(data["kind"], _clock().now()).start
    return scope, unit, data["kind"], day


def _charts(report: dict) -> dict[str, Markup]:
    current = report["current"]
    made = {"channels": charts.bar_chart("按渠道受理与化解", [*current["by_channel"], current["joint"]]),
            "categories": charts.bar_chart("按类别受理与化解", current["by_category"])}
    if report.get("analysis"):
        made["trend"] = charts.line_chart("近六个月受理与化解趋势", report["analysis"]["trend"])
    return made


def _body(report: dict, title: str, recommendations: str = "", issued=None) -> str:
    return render_template("reports/_body.html", report=report, title=title, kinds=KINDS,
                           charts=_charts(report), recommendations=recommendations, issued=issued)


@bp.get("/")
@login_required
def index():
    """Pick a report; the scheduled snapshots and the issued reports of my scope."""
    scope = supervisor_scope(current_actor())
    return render_template("reports/index.html", units=scope_units(scope), kinds=KINDS,
                           snapshots=services.snapshots_in(scope), issued=services.issued_in(scope),
                           unit_names={u.id: u.name for u in scope_units(scope)})


@bp.get("/view")
@login_required
def view():
    """A report computed now; printable with ?print=1."""
    _scope, unit, kind, day = _chosen(request.args)
    report = services.compute(unit, kind, day, _clock())
    title = services.title_of(unit.name, period_containing(kind, day))
    body = Markup(_body(report, title))
    template = "reports/print.html" if request.args.get("print") else "reports/report.html"
    return render_template(template, body=body, title=title, unit=unit, kind=kind, day=day, kinds=KINDS,
                           issued=services.issued_for(unit.id, kind, day),
                           running=services.as_of_suffix(kind, day, _clock().now()))


@bp.get("/view.xlsx")
@login_required
def export():
    """A report computed now, as Excel."""
    _scope, unit, kind, day = _chosen(request.args)
    report = services.compute(unit, kind, day, _clock())
    title = services.title_of(unit.name, period_containing(kind, day))
    return _xlsx(report_workbook(report, title), f"report-{kind}-{unit.id}-{day.isoformat()}")


@bp.post("/issue")
@login_required
def issue():
    """签发: freeze the report as it is now, with the recommendations, under my name."""
    _scope, unit, kind, day = _chosen(request.form)
    recommendations = request.form.get("recommendations", "")[:10000]
    as_of_mark = request.form.get("as_of") == "1"
    services.check_issuable(kind, day, _clock(), as_of_mark)
    report = services.compute(unit, kind, day, _clock())
    title = services.title_of(unit.name, period_containing(kind, day)) + services.as_of_suffix(
        kind, day, _clock().now())
    html = _body(report, title, recommendations.strip(), issued={"by": current_actor().label,
                                                                  "at": _clock().now()})
    row = run_unit(lambda: services.issue(unit.id, kind, day, report=report, html=html,
                                          recommendations=recommendations, actor=current_actor(),
                                          clock=_clock(), as_of_mark=as_of_mark))
    flash(f"《{row.title}》已签发")
    return redirect(url_for("reports.issued", report_id=row.id))


@bp.get("/issued/<int:report_id>")
@login_required
def issued(report_id: int):
    """An issued report exactly as it was issued."""
    row = services.get_issued(supervisor_scope(current_actor()), report_id)
    template = "reports/print.html" if request.args.get("print") else "reports/issued.html"
    return render_template(template, row=row, body=Markup(row.html), title=row.title)


@bp.get("/issued/<int:report_id>.xlsx")
@login_required
def issued_export(report_id: int):
    """An issued report's indicators as Excel."""
    row = services.get_issued(supervisor_scope(current_actor()), report_id)
    return _xlsx(report_workbook(row.indicators, row.title, row.recommendations), f"issued-{row.id}")


@bp.get("/snapshots/<int:snapshot_id>")
@login_required
def snapshot(snapshot_id: int):
    """A report the worker generated on schedule."""
    row = services.get_snapshot(supervisor_scope(current_actor()), snapshot_id)
    period = period_containing(row.kind, row.period_start)
    title = services.title_of(row.indicators["org_unit"]["name"], period)
    return render_template("reports/issued.html", row=None, snapshot=row, title=title,
                           body=Markup(_body(row.indicators, title)))


def _xlsx(body: bytes, name: str) -> Response:
    return Response(body, mimetype=XLSX, headers={"Content-Disposition": f"attachment; filename={name}.xlsx"})
