"""/grid/: the grid worker app (installable PWA) — card inbox, report form, offline queue.

The page, its script and the service worker come from OneDoor itself (no app store, no CDN).
Reports arrive at POST /grid/reports as multipart forms with a client-made id; see capture.py.
"""

from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, render_template, request, session
from flask_login import current_user, login_required
from marshmallow import EXCLUDE, ValidationError, fields, validate
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.audit.services import record
from app.cases import labels
from app.channels.grid.capture import MAX_PHOTO, report_from_app, worker_grids
from app.channels.grid.services import describe
from app.channels.grid.views import GridReportIn
from app.errors import Forbidden, NotFound, OneDoorError, ValidationFailed
from app.extensions import db
from app.inbox.queries import InboxQuery, inbox
from app.org.models import Department
from app.org.services import Actor
from app.ui import current_actor
from app.ui.nav import reports_from_grids
from app.unit_of_work import run_unit

bp = Blueprint("gridapp", __name__, url_prefix="/grid")
KINDS = {"hazard": "安全隐患", "dispute": "矛盾纠纷", "sentiment": "社情民意"}


class SignedOut(OneDoorError):
    """The session is gone or its account was disabled: the app keeps the report and asks to sign in."""

    code = "signed_out"
    http_status = 401


class AppReportIn(GridReportIn):
    """A report from the app: the API's item fields plus what the phone measured."""

    class Meta:
        unknown = EXCLUDE

    reporter = fields.String(load_default="")
    party_name = fields.String(validate=validate.Length(max=64), load_default="")
    latitude = fields.Float(validate=validate.Range(min=-90, max=90), allow_none=True)
    longitude = fields.Float(validate=validate.Range(min=-180, max=180), allow_none=True)
    accuracy_m = fields.Float(validate=validate.Range(min=0, max=100_000), allow_none=True)
    captured_at = fields.AwareDateTime(allow_none=True)


def _clock():
    return current_app.extensions["onedoor.clock"]


def _departments(grids) -> list[tuple[str, str]]:
    ancestors = {a for grid in grids for a in grid.ancestor_ids()}
    rows = db.session.execute(select(Department.code, Department.name)
                              .where(Department.org_unit_id.in_(ancestors)).order_by(Department.code))
    return list(dict(rows.all()).items())


@bp.get("/")
@login_required
def app_page():
    """The app shell with the worker's task cards and the report form."""
    actor = current_actor()
    if not reports_from_grids(actor):
        raise Forbidden("网格员工作台只供网格员使用")
    grids = worker_grids(actor)
    page = inbox(actor, None, InboxQuery.from_args(MultiDict()), _clock().now())
    return render_template("grid/app.html", grids=grids, departments=_departments(grids), kinds=KINDS,
                           categories=labels.CATEGORIES, rows=page.rows, max_photo=MAX_PHOTO)


@bp.get("/manifest.webmanifest")
def manifest():
    """The web app manifest (installable from the browser)."""
    body = render_template("grid/manifest.webmanifest")
    return Response(body, mimetype="application/manifest+json")


@bp.get("/sw.js")
def service_worker():
    """The service worker, served from /grid/ so that its scope is the app."""
    body = (Path(current_app.static_folder) / "js" / "grid-sw.js").read_text(encoding="utf-8")
    return Response(body, mimetype="text/javascript", headers={"Cache-Control": "no-cache"})


def _refused(exc: OneDoorError, external_id: str | None, user_id) -> None:
    record(_clock().now(), "grid.app_refused", actor_id=user_id, actor_label="网格员",
           summary={"reason": exc.code, "message": exc.message, "external_id": external_id,
                    "fields": sorted(exc.errors)})


def _refusal(exc: OneDoorError, external_id: str | None, user_id=None):
    run_unit(lambda: _refused(exc, external_id, user_id))
    return jsonify({"code": exc.code, "message": exc.message, "errors": exc.errors}), exc.http_status


def _load(form) -> dict:
    data = {key: value for key, value in form.items() if value != ""}
    if data.get("kind") == "dispute":
        data["parties"] = [{"name": data.get("party_name", ""), "role": "applicant"}]
    try:
        return AppReportIn().load(data)
    except ValidationError as exc:
        errors = {k: v if isinstance(v, list) else [str(v)] for k, v in exc.normalized_messages().items()}
        raise ValidationFailed("上报内容有误", errors) from None


def _signed_in_actor() -> Actor | None:
    if not current_user.is_authenticated:
        return None
    try:
        return current_actor()
    except NotFound:  # the account was disabled during this session
        return None


def _photo_bytes() -> bytes | None:
    """At most one byte over the limit (enough to refuse it); the upload's temp file is closed."""
    photo = request.files.get("photo")
    if photo is None:
        return None
    try:
        return photo.read(MAX_PHOTO + 1)
    finally:
        photo.close()


@bp.post("/reports")
def report():
    """Receive one report (multipart: fields + `photo`); 201 new, 200 already received."""
    external_id = request.form.get("external_id")
    actor = _signed_in_actor()
    if actor is None:  # signed out, or the account was disabled after the report was made
        return _refusal(SignedOut("请重新登录后再上报（账号已退出或已停用）"), external_id,
                        None if session.get("_user_id") is None else int(session["_user_id"]))
    data = _photo_bytes()
    try:
        values = _load(request.form)
        report, created = run_unit(lambda: report_from_app(
            values, data, actor=actor, clock=_clock(),
            duplicate_window_days=current_app.config["DUPLICATE_WINDOW_DAYS"]))
    except OneDoorError as exc:
        return _refusal(exc, external_id, actor.user_id)
    return jsonify(describe(report)), 201 if created else 200


