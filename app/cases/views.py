"""案件: intake at the window, the case list, and the case page (一案一码, 路线图, diagram, notes)."""

import io
from datetime import datetime
from typing import Any

import segno
from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import login_required
from sqlalchemy import select

from app.cases import access, files, history, labels
from app.cases.listing import CaseQuery, search_cases
from app.cases.models import CASE_STATUS_LABELS, Case
from app.cases.routemap import department_name, route_map
from app.cases.services import change_risk_tier, viewable_case
from app.channels.intake import receive_at_unit
from app.clock import Clock
from app.documents import services as documents
from app.errors import Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.inbox.formrender import build_fields, parse_submission
from app.org.models import OrgLevel, OrgUnit, Role
from app.ui import current_actor
from app.unit_of_work import run_unit
from app.workflow.models import HumanTask, ProcessInstance, TaskState
from app.workflow.queries import instance_diagrams, ui_key
from app.workflow.services import deployed_form

bp = Blueprint("cases", __name__, url_prefix="/cases")

def _clock() -> Clock:
    clock: Clock = current_app.extensions["onedoor.clock"]
    return clock


def _viewable(code: str) -> Case:
    return viewable_case(code, current_actor())


def _handled(code: str) -> Case:
    case = _viewable(code)
    if not access.in_handling_scope(current_actor(), case):
        raise Forbidden("您不在该案件的办理范围内")
    return case


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    """Cases I may see, newest first, with search and filters."""
    query = CaseQuery.from_args(request.args)
    page = search_cases(current_actor(), query)
    return render_template("cases/index.html", page=page, query=query, labels=labels,
                           statuses=CASE_STATUS_LABELS)


def _intake_units() -> list[OrgUnit]:
    """Grids a window clerk may register cases for: those under their posts."""
    return access.intake_units(current_actor(), OrgLevel.GRID)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> ResponseReturnValue:
    """统一受理: register a dispute; the case gets its code and starts its process."""
    grids = _intake_units()
    schema = deployed_form("dispute", "intake.json")
    try:
        ui = deployed_form("dispute", ui_key("intake.json"))
    except NotFound:
        ui = {}
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        values = parse_submission(schema, request.form)
        grid_id = request.form.get("org_unit_id", type=int)
        try:
            if grid_id not in {g.id for g in grids}:
                raise ValidationFailed("请选择案件所在网格", {"org_unit_id": ["请选择案件所在网格"]})
            case = run_unit(lambda: receive_at_unit(
                values, grid_id, clock=_clock(), actor=current_actor(),
                duplicate_window_days=current_app.config["DUPLICATE_WINDOW_DAYS"]))
        except ValidationFailed as failed:
            errors, status = failed.errors, 422
            flash(failed.message, "error")
        else:
            flash(f"已受理，案件编码 {case.code}")
            return redirect(url_for("cases.detail", code=case.code))
    fields = build_fields(schema, ui, values, errors)
    return render_template("cases/new.html", fields=fields, grids=grids, errors=errors,
                           chosen=request.form.get("org_unit_id", type=int)), status


def _qr_svg(case: Case) -> str:
    url = url_for("public.track_form", code=case.code, _external=True)  # the citizen's tracking page
    return segno.make(url, error="m").svg_inline(scale=3, title=f"案件 {case.code}")


def _mark_overdue(case: Case, diagrams: list[Any], now: datetime) -> None:
    """Paint open tasks past their due time red on the diagram."""
    overdue = db.session.execute(select(HumanTask.process_id, HumanTask.bpmn_id).where(
        HumanTask.business_key == case.code, HumanTask.state == TaskState.READY,
        HumanTask.due_at < now)).all()
    for diagram in diagrams:
        for process_id, bpmn_id in overdue:
            if process_id == diagram.process_id:
                diagram.states[bpmn_id] = "overdue"


@bp.get("/<code>")
@login_required
def detail(code: str) -> ResponseReturnValue:
    """The case page: facts, parties, route map, diagram, timeline, notes."""
    case = _viewable(code)
    actor = current_actor()
    unmasked = access.in_handling_scope(actor, case)
    instance = db.session.get(ProcessInstance, case.instance_id) if case.instance_id else None
    diagrams = instance_diagrams(instance) if instance else []
    _mark_overdue(case, diagrams, _clock().now())
    items = history.case_file(case, masked=not unmasked)
    step = request.args.get("step", "")
    return render_template(
        "cases/detail.html", case=case, unmasked=unmasked, labels=labels,
        statuses=CASE_STATUS_LABELS, route=route_map(case, _clock().now()), qr=_qr_svg(case),
        diagrams=diagrams, timeline=history.audit_lines(case), step=step,
        department=department_name(case.handling_department),
        has_supervision=any(i.task and i.task.bpmn_id == "issue_order" for i in items),
        history=history.only_step(items, step), steps=history.step_choices(items),
        location=db.session.get(OrgUnit, case.org_unit_id), now=_clock().now())


@bp.get("/<code>/diagrams/<process_id>.bpmn")
@login_required
def diagram(code: str, process_id: str) -> ResponseReturnValue:
    """The BPMN XML of one process of the case, for the viewer."""
    case = _viewable(code)
    instance = db.session.get(ProcessInstance, case.instance_id)
    for item in instance_diagrams(instance) if instance else []:
        if item.process_id == process_id:
            return Response(item.xml, mimetype="application/xml")
    return Response("未找到流程图", status=404)


@bp.post("/<code>/comments")
@login_required
def comment(code: str) -> ResponseReturnValue:
    """Leave a comment on the case."""
    case = _viewable(code)
    try:
        run_unit(lambda: files.add_comment(case, request.form.get("body", ""),
                                           actor=current_actor(), now=_clock().now()))
        flash("留言已保存")
    except ValidationFailed as failed:
        flash("；".join(m for ms in failed.errors.values() for m in ms), "error")
    return redirect(url_for("cases.detail", code=code) + "#notes")


@bp.post("/<code>/attachments")
@login_required
def upload(code: str) -> ResponseReturnValue:
    """Attach a file (handling scope only)."""
    case = _handled(code)
    upload = request.files.get("file")
    data = upload.read(files.MAX_ATTACHMENT_BYTES + 1) if upload else b""
    try:
        run_unit(lambda: files.add_attachment(case, (upload.filename or "") if upload else "", data,
                                              actor=current_actor(), now=_clock().now()))
        flash("附件已上传")
    except ValidationFailed as failed:
        flash("；".join(m for ms in failed.errors.values() for m in ms), "error")
    return redirect(url_for("cases.detail", code=code) + "#notes")


@bp.get("/<code>/attachments/<int:attachment_id>")
@login_required
def download(code: str, attachment_id: int) -> ResponseReturnValue:
    """Download an attachment (handling scope only)."""
    case = _handled(code)
    item = files.attachment(case, attachment_id)
    return send_file(io.BytesIO(item.data), mimetype=item.content_type, as_attachment=True,
                     download_name=item.filename)


@bp.post("/<code>/risk")
@login_required
def risk(code: str) -> ResponseReturnValue:
    """Change the risk tier (handling scope, coordinators and supervisors)."""
    case = _viewable(code)
    actor = current_actor()
    if not (access.in_handling_scope(actor, case) or actor.has_role(Role.CENTER_COORDINATOR)
            or actor.has_role(Role.SUPERVISOR)):
        raise Forbidden("您无权调整该案件的风险等级")
    tier = request.form.get("risk_tier", "")
    if tier not in labels.RISK_TIERS:
        flash("请选择有效的风险等级", "error")
    else:
        run_unit(lambda: change_risk_tier(code, tier, clock=_clock(), actor=actor))
        flash(f"风险等级已调整为{labels.RISK_TIERS[tier]}")
    return redirect(url_for("cases.detail", code=code))


@bp.get("/<code>/documents/<kind>.pdf")
@login_required
def document(code: str, kind: str) -> ResponseReturnValue:
    """A document of the case as PDF (handling scope only); each generation is audited."""
    case = _handled(code)
    url = url_for("cases.detail", code=case.code, _external=True)
    made = run_unit(lambda: documents.generate(case, kind, actor=current_actor(), now=_clock().now(),
                                               case_url=url))
    return send_file(io.BytesIO(made.content), mimetype="application/pdf", as_attachment=True,
                     download_name=made.filename)
