"""POST /api/v1/hotline/orders: the 12345 platform dispatches a work order (HMAC-signed)."""

from flask import current_app, request
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from app.api.auth import DEFAULT_MAX_BODY
from app.api.base import api_blueprint, clock, setting
from app.api.schemas import CATEGORIES, PHONE, RISK_TIERS, ApiInput, PartyIn
from app.channels.hotline.services import ORDER_TYPES, receive_order
from app.channels.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from app.extensions import db
from app.inputs import WholeNumber
from app.unit_of_work import run_unit

bp = api_blueprint("api_hotline", __name__, "/hotline", "12345 工单接入（HMAC 签名，按工单号幂等）",
                   authenticated=False)
SIGNED: list[dict[str, list[str]]] = [{"hotlineSignature": []}]


class Citizen(ApiInput):
    """The caller (诉求人)."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    phone = fields.String(validate=validate.Regexp(PHONE))


class HotlineOrderIn(ApiInput):
    """A work order as the 12345 platform dispatches it."""

    order_id = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_-]{1,40}$"),
                             metadata={"description": "12345 工单号（幂等键之一）"})
    dispatch_no = WholeNumber(load_default=1, validate=validate.Range(min=1, max=99),
                                 metadata={"description": "派单次数；异议退回后重派时加 1"})
    order_type = fields.String(required=True, validate=validate.OneOf(ORDER_TYPES),
                               metadata={"description": "咨询/求助/投诉/举报/建议"})
    urgent = fields.Boolean(load_default=False, metadata={"description": "紧急（2 小时内签收）"})
    is_dispute = fields.Boolean(load_default=False, metadata={"description": "矛盾纠纷类（立案调解）"})
    title = fields.String(required=True, validate=validate.Length(min=4, max=100))
    content = fields.String(required=True, validate=validate.Length(min=10, max=5000))
    grid_code = fields.String(required=True, validate=validate.Length(min=1, max=64),
                              metadata={"description": "网格（或单位）编码"})
    department = fields.String(validate=validate.Length(min=1, max=64),
                               metadata={"description": "指定承办部门编码（可选）"})
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    risk_tier = fields.String(load_default="blue", validate=validate.OneOf(RISK_TIERS))
    amount = fields.Float(load_default=0, validate=validate.Range(min=0, max=1e12))
    people_count = WholeNumber(load_default=1, validate=validate.Range(min=1, max=100_000))
    address = fields.String(load_default="", validate=validate.Length(max=200))
    citizen = fields.Nested(Citizen, required=True)
    respondents = fields.List(fields.Nested(PartyIn), load_default=list,
                              validate=validate.Length(max=20))


class HotlineOrderOut(Schema):
    """The order as OneDoor holds it."""

    id = fields.Integer()
    order_id = fields.String()
    dispatch_no = fields.Integer()
    business_key = fields.String()
    status = fields.String(metadata={"description": "received/signed/returned/replied/closed"})
    case_code = fields.Method("_case_code", allow_none=True)
    received_at = fields.DateTime()

    def _case_code(self, order):
        from app.cases.models import Case  # noqa: PLC0415

        return db.session.get(Case, order.case_id).code if order.case_id else None


@bp.before_request
def _check_signature():
    request.max_content_length = current_app.config.get("API_MAX_BODY", DEFAULT_MAX_BODY)
    verify(setting("HOTLINE_SECRET"), request.headers.get(TIMESTAMP_HEADER),
           request.headers.get(SIGNATURE_HEADER), request.get_data(cache=True),
           now=clock().now(), window_seconds=setting("HOTLINE_REPLAY_WINDOW"))


@bp.route("/orders")
class Orders(MethodView):
    """Work orders from 12345."""

    @bp.doc(security=SIGNED)
    @bp.arguments(HotlineOrderIn)
    @bp.response(201, HotlineOrderOut)
    @bp.alt_response(200, schema=HotlineOrderOut, description="重复推送：返回已接收的工单，不重复创建")
    def post(self, values):
        """接收 12345 派单（同一工单号和派单次数重复推送时返回原工单）"""
        order, created = run_unit(lambda: receive_order(values, clock=clock()))
        return order, 201 if created else 200
