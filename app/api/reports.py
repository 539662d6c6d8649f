"""/api/v1/reports/indicators: a period's figures for a scope (受理、化解、化解率, by channel).

A small stand-in computed over dispute_case until app/reports publishes its indicators.
Merged duplicates are not counted: they are the same dispute as another case.
"""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask.views import MethodView
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import and_, func, or_, select, true

from app.api.auth import principal
from app.api.base import SECURITY, api_blueprint
from app.api.casework import _day_start
from app.api.schemas import ApiErrorSchema, ApiInput
from app.cases.models import Case
from app.channels.scope import Scope, unit_by_code
from app.extensions import db
from app.org.models import OrgUnit

bp = api_blueprint("api_reports", __name__, "/reports", "报表：受理量、化解量、化解率")


class IndicatorArgs(ApiInput):
    """The period (inclusive dates, Beijing time) and the scope."""

    date_from = fields.Date(required=True, data_key="from")
    date_to = fields.Date(required=True, data_key="to")
    org_unit = fields.String(validate=validate.Length(min=1, max=64))

    @validates_schema
    def _order(self, data, **kwargs):
        if data["date_to"] < data["date_from"]:
            raise ValidationError("结束日期不能早于开始日期", "to")
        if (data["date_to"] - data["date_from"]).days > 3660:
            raise ValidationError("统计期间不能超过 10 年", "to")


class ChannelLine(Schema):
    """Figures of one channel."""

    channel = fields.String()
    received = fields.Integer()
    resolved = fields.Integer()


class Indicators(Schema):
    """The period's figures."""

    org_unit = fields.String(allow_none=True)
    date_from = fields.Date(data_key="from")
    date_to = fields.Date(data_key="to")
    received = fields.Integer(metadata={"description": "受理（登记）案件数"})
    resolved = fields.Integer(metadata={"description": "其中已化解"})
    resolution_rate = fields.String(metadata={"description": "化解率（%），两位小数"})
    by_channel = fields.List(fields.Nested(ChannelLine))


def rate(resolved: int, handled: int) -> str:
    """化解率 = resolved ÷ handled, in percent with two decimals."""
    if not handled:
        return "0.00"
    return str((Decimal(resolved) * 100 / Decimal(handled)).quantize(Decimal("0.01"), ROUND_HALF_UP))


def indicators(date_from: date, date_to: date, org_unit: str | None, scope: Scope) -> dict[str, Any]:
    """Cases received in the period in scope, those resolved, the rate, by channel."""
    conditions = [Case.received_at >= _day_start(date_from),
                  Case.received_at < _day_start(date_to + timedelta(days=1)),
                  or_(Case.result.is_(None), Case.result != "merged")]
    units = scope.units_query()
    if units is not None:
        conditions.append(Case.org_unit_id.in_(units))
    if org_unit:
        unit = unit_by_code(org_unit)
        conditions.append(Case.org_unit_id.in_(select(OrgUnit.id)
                                               .where(OrgUnit.path.startswith(unit.path))))
    resolved = func.sum(func.coalesce((Case.result == "resolved").cast(db.Integer), 0))
    rows = db.session.execute(select(Case.channel, func.count(), resolved)
                              .where(and_(true(), *conditions)).group_by(Case.channel)
                              .order_by(Case.channel)).all()
    lines = [{"channel": c, "received": n, "resolved": int(r or 0)} for c, n, r in rows]
    received = sum(line["received"] for line in lines)
    done = sum(line["resolved"] for line in lines)
    return {"org_unit": org_unit, "date_from": date_from, "date_to": date_to, "received": received,
            "resolved": done, "resolution_rate": rate(done, received), "by_channel": lines}


@bp.route("/indicators")
class IndicatorReport(MethodView):
    """A period's indicators."""

    @bp.doc(security=SECURITY)
    @bp.arguments(IndicatorArgs, location="query")
    @bp.response(200, Indicators)
    @bp.alt_response(422, schema=ApiErrorSchema)
    def get(self, args):
        """某期间、某单位（含下级）的受理量、化解量和化解率"""
        return indicators(args["date_from"], args["date_to"], args.get("org_unit"),
                          principal().scope)
