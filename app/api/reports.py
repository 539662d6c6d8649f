"""/api/v1/reports/indicators: a period's figures for a scope (受理、化解、化解率, by channel).

The same computation as the report pages (app/reports/indicators.py) over any span of days:
the figures an integration reads are the figures a supervisor prints. Merged duplicates are
not counted: they are the same dispute as another case.
"""

from datetime import date, datetime
from typing import Any

from flask.views import MethodView
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import Select, select

from app.api.auth import principal
from app.api.base import SECURITY, api_blueprint, clock
from app.api.schemas import ApiErrorSchema, ApiInput
from app.channels.scope import Scope, unit_by_code
from app.inputs import Day
from app.org.models import OrgUnit
from app.reports.indicators import compute_in
from app.reports.periods import between

bp = api_blueprint("api_reports", __name__, "/reports", "报表：受理量、化解量、化解率")


class IndicatorArgs(ApiInput):
    """The period (inclusive dates, Beijing time) and the scope."""

    date_from = Day(required=True, data_key="from")
    date_to = Day(required=True, data_key="to")
    org_unit = fields.String(validate=validate.Length(min=1, max=64))

    @validates_schema
    def _order(self, data, **kwargs):
        if data["date_to"] < data["date_from"]:
            raise ValidationError("结束日期不能早于开始日期", "to")
        if (data["date_to"] - data["date_from"]).days > 3660:
            raise ValidationError("统计期间不能超过 10 年", "to")


class ChannelLine(Schema):
    """Figures of one channel line of the reports."""

    channel = fields.String(metadata={"description": "grid / hotline_12345 / three_mediation（警情、信访、"
                                                     "诉前合计）/ walk_in / follow_up"})
    label = fields.String(metadata={"description": "渠道名称，如「三调对接（警情、信访、诉前）」"})
    received = fields.Integer()
    resolved = fields.Integer()
    rate = fields.String(metadata={"description": "化解率（%），两位小数"})


class RateLine(Schema):
    """One rate with its counts and written definition (app/reports/rates.py)."""

    key = fields.String(metadata={"description": "resolution_rate / on_time_rate / satisfaction_rate / "
                                                 "visit_rate / redo_rate"})
    label = fields.String(metadata={"description": "化解率、按期办结率、满意率、回访率、发回重办率"})
    rate = fields.String(allow_none=True, metadata={"description": "（%），两位小数；分母为 0 时为 null"})
    numerator = fields.Integer()
    denominator = fields.Integer()
    definition = fields.String(metadata={"description": "口径（与报表页一致）"})


class Indicators(Schema):
    """The period's figures."""

    org_unit = fields.String(allow_none=True)
    date_from = fields.Date(data_key="from")
    date_to = fields.Date(data_key="to")
    received = fields.Integer(metadata={"description": "受理（登记）案件数"})
    resolved = fields.Integer(metadata={"description": "其中已化解（状态为已化解、已销号或已立续案）"})
    resolution_rate = fields.String(metadata={"description": "化解率（%），两位小数"})
    on_time_rate = fields.String(metadata={"description": "按期办结率（%）：按期办结 ÷（按期办结 + 逾期）"})
    overdue = fields.Integer(metadata={"description": "逾期任务：时限落在期间内且已过、到时未办结的任务"
                                                      "（未办结、逾期后办结、超时上交、逾期后撤销）"})
    return_visits = fields.Integer(metadata={"description": "期间内完成的回访"})
    satisfaction_rate = fields.String(allow_none=True, metadata={
        "description": "满意率（%），两位小数：回访记录、群众自助评价和 12345 满意度每条计一次；"
                       "无评价时为 null"})
    by_channel = fields.List(fields.Nested(ChannelLine))
    rates = fields.List(fields.Nested(RateLine))


def _units(org_unit: str | None, scope: Scope) -> Select | None:
    """The org units counted: the caller's scope, narrowed to `org_unit`'s subtree (None: all)."""
    units = scope.units_query()
    if not org_unit:
        return units
    unit = unit_by_code(org_unit)
    subtree = select(OrgUnit.id).where(OrgUnit.path.startswith(unit.path))
    return subtree if units is None else subtree.where(OrgUnit.id.in_(units))


def _rate_text(rate: dict[str, Any]) -> str | None:
    return None if rate["empty"] else f"{rate['value']:.2f}"


def indicators(date_from: date, date_to: date, org_unit: str | None, scope: Scope,
               now: datetime) -> dict[str, Any]:
    """Cases received in the period in scope, those resolved, the rates, by channel, as of `now`."""
    report = compute_in(_units(org_unit, scope), between(date_from, date_to), now)
    counts = report["counts"]
    return {"org_unit": org_unit, "date_from": date_from, "date_to": date_to,
            "received": counts["received"], "resolved": counts["resolved"],
            "resolution_rate": f"{report['resolution_rate']:.2f}",
            "on_time_rate": f"{report['on_time_rate']:.2f}", "overdue": counts["overdue"],
            "return_visits": counts["return_visits"],
            "satisfaction_rate": _rate_text(report["rates"]["satisfaction_rate"]),
            "by_channel": [{"channel": line["key"], "label": line["label"], "received": line["received"],
                            "resolved": line["resolved"], "rate": f"{line['rate']:.2f}"}
                           for line in report["by_channel"]],
            "rates": [{"key": key, "label": r["label"], "rate": _rate_text(r),
                       "numerator": r["numerator"], "denominator": r["denominator"],
                       "definition": r["definition"]} for key, r in report["rates"].items()]}


@bp.route("/indicators")
class IndicatorReport(MethodView):
    """A period's indicators."""

    @bp.doc(security=SECURITY)
    @bp.arguments(IndicatorArgs, location="query")
    @bp.response(200, Indicators)
    @bp.alt_response(422, schema=ApiErrorSchema)
    def get(self, args):
        """某期间、某单位（含下级）的受理量、化解量、化解率、按期办结率、逾期和回访（与报表页同一口径）"""
        return indicators(args["date_from"], args["date_to"], args.get("org_unit"),
                          principal().scope, clock().now())
