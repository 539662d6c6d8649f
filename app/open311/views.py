"""/open311/v2/: Open311 GeoReport v2 (discovery, services, requests), JSON or XML.

Callers identify with an OneDoor integration key (`api_key` parameter, as the spec has it, or
`Authorization: Bearer`); reading requests needs one too, so case codes cannot be walked.
"""

from dataclasses import asdict
from datetime import datetime

from flask import Blueprint, current_app, request, url_for
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from app.api.auth import _from_bearer as principal_from_secret  # noqa: PLC2701 - same keys as /api/v1
from app.api.errors import Unauthorized
from app.audit.services import record
from app.errors import OneDoorError, ValidationFailed
from app.open311 import services
from app.open311.render import errors, render
from app.public import limits
from app.unit_of_work import run_unit

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
FORMATS = ("json", "xml")


class RequestIn(Schema):
    """POST requests parameters (GeoReport v2)."""

    class Meta:
        unknown = EXCLUDE

    service_code = fields.String(required=True)
    description = fields.String(required=True, validate=validate.Length(min=10, max=4000))
    lat = fields.Float(validate=validate.Range(min=-90, max=90))
    long = fields.Float(validate=validate.Range(min=-180, max=180))
    address_string = fields.String(validate=validate.Length(max=200))
    address_id = fields.String(validate=validate.Length(max=64))
    email = fields.String(validate=validate.Length(max=200))
    device_id = fields.String(validate=validate.Length(max=64))
    account_id = fields.String(validate=validate.Length(max=64))
    first_name = fields.String(validate=validate.Length(max=32))
    last_name = fields.String(validate=validate.Length(max=32))
    phone = fields.String(validate=validate.Regexp(r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$"))
    media_url = fields.String(validate=validate.Length(max=500))


def _clock():
    return current_app.extensions["onedoor.clock"]


def _fmt(fmt: str) -> str:
    return fmt if fmt in FORMATS else "json"


def _caller():
    secret = request.values.get("api_key") or request.headers.get("Authorization", "").removeprefix("Bearer ")
    if not secret.strip():
        raise Unauthorized("缺少 api_key：请提供综治中心发放的接口密钥")
    return principal_from_secret(secret.strip())


def _guard(fmt: str, work):
    """Rate limit per address, authenticate, run; every refusal is audited and answered as the spec says."""
    address = request.remote_addr or "unknown"
    try:
        run_unit(lambda: limits.hit("open311", {"address": address}, _clock().now(),
                                    current_app.config["PUBLIC_LIMITS"]))
        return work(_caller())
    except OneDoorError as exc:
        refusal = exc
        run_unit(lambda: record(_clock().now(), "open311.refused", actor_label="311 标准接口",
                                      summary={"reason": refusal.code, "message": refusal.message,
                                               "address": address, "path": request.path}))
        details = [f"{field}: {'; '.join(m)}" for field, m in exc.errors.items()] or [exc.message]
        return errors(fmt, exc.http_status, details)


@bp.get("/discovery.<fmt>")
def discovery(fmt: str):
    """Service discovery: where the v2 endpoint is and which formats it speaks."""
    base = url_for("open311.services_list", fmt="json", _external=True).rsplit("/", 1)[0] + "/"
    return render(_fmt(fmt), {
        "changeset": "2026-12-02T00:00:00Z", "contact": "请联系所在县区综治中心",
        "key_service": "向综治中心申请接口密钥",
        "endpoints": [{"specification": "http://wiki.open311.org/GeoReport_v2", "url": base,
                       "changeset": "2026-12-02T00:00:00Z", "type": "production",
                       "formats": ["text/xml", "application/json"]}]}, root="discovery")


@bp.get("/services.<fmt>")
def services_list(fmt: str):
    """Every service (dispute category)."""
    return render(_fmt(fmt), [asdict(s) for s in services.services()], root="services", item="service")


@bp.get("/services/<code>.<fmt>")
def service_definition(code: str, fmt: str):
    """No service has extra attributes (metadata is false), so there is no definition to give."""
    return errors(_fmt(fmt), 404, [f"服务「{code}」没有附加属性定义"])


def _loaded(form) -> dict:
    try:
        return RequestIn().load(form.to_dict())
    except ValidationError as exc:
        raise ValidationFailed("参数有误", {k: v if isinstance(v, list) else [str(v)]
                                         for k, v in exc.normalized_messages().items()}) from None


@bp.post("/requests.<fmt>")
def create_request(fmt: str):
    """Submit a service request: a case; its code is the service_request_id."""
    fmt = _fmt(fmt)

    def work(caller):
        values = _loaded(request.form)
        case = run_unit(lambda: services.submit(values, scope=caller.scope, clock=_clock(),
                                                duplicate_window_days=current_app.config["DUPLICATE_WINDOW_DAYS"]))
        answer = [{"service_request_id": case.code, "service_notice": "已受理，可凭编码查询办理进度",
                   "account_id": values.get("account_id", "")}]
        return render(fmt, answer, root="service_requests", item="request", status=201)
    return _guard(fmt, work)


def _date(name: str) -> datetime | None:
    value = request.args.get(name)
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        message = "应为 W3C 日期时间，如 2010-05-24T00:00:00Z"
        raise ValidationFailed("日期格式有误", {name: [message]}) from None


def _requests(fmt: str, ids: list[str] | None):
    def work(caller):
        cases = services.find(ids=ids, service_code=request.args.get("service_code"),
                              start=_date("start_date"), end=_date("end_date"),
                              status=request.args.get("status"), scope=caller.scope)
        names = services.unit_names(cases)
        return render(fmt, [services.describe(c, names) for c in cases], root="service_requests",
                      item="request")
    return _guard(fmt, work)


@bp.get("/requests.<fmt>")
def list_requests(fmt: str):
    """Requests by id list (service_request_id=a,b), or by service_code, date range and status."""
    ids = [i.strip() for i in request.args.get("service_request_id", "").split(",") if i.strip()]
    return _requests(_fmt(fmt), ids or None)


@bp.get("/requests/<request_id>.<fmt>")
def one_request(request_id: str, fmt: str):
    """One request (a list of one, as the spec has it)."""
    return _requests(_fmt(fmt), [request_id])
