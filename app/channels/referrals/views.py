"""POST /api/v1/referrals: police incidents, petitions and court pre-suit mediation come in."""

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from app.api.auth import principal
from app.api.base import SECURITY, api_blueprint, clock, setting
from app.api.schemas import IntakeFields
from app.channels.referrals.services import KINDS, describe, receive_referral
from app.unit_of_work import run_unit

bp = api_blueprint("api_referrals", __name__, "/referrals",
                   "三调对接：警情（警调）、信访、法院诉前调解转入，结果回传来源系统")


class ReferralIn(IntakeFields):
    """A referral with its source reference."""

    kind = fields.String(required=True, validate=validate.OneOf(KINDS),
                         metadata={"description": "police 警情 / petition 信访 / court 诉前调解"})
    source_ref = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_./-]{1,64}$"),
                               metadata={"description": "来源系统的编号（警情号、信访件号、案号）"})
    source_system = fields.String(required=True, validate=validate.Length(min=1, max=64))
    org_unit = fields.String(required=True, validate=validate.Length(min=1, max=64))


class ReferralOut(Schema):
    """The referral and its case."""

    id = fields.Integer()
    kind = fields.String()
    source_ref = fields.String()
    case_code = fields.String()
    received_at = fields.DateTime()


@bp.route("")
class Referrals(MethodView):
    """Referrals."""

    @bp.doc(security=SECURITY)
    @bp.arguments(ReferralIn)
    @bp.response(201, ReferralOut)
    @bp.alt_response(200, schema=ReferralOut, description="重复推送：返回已接收的转入")
    def post(self, values):
        """接收转入案件（同一来源编号重复推送时返回原案件）"""
        caller = principal()

        def work():
            referral, created = receive_referral(
                values, scope=caller.scope, clock=clock(),
                duplicate_window_days=setting("DUPLICATE_WINDOW_DAYS"))
            return describe(referral), 201 if created else 200
        return run_unit(work)
