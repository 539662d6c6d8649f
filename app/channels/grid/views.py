"""/api/v1/grid/reports: single and batch upload from the 陇情e通 app, and a summary."""

from typing import Any

from flask import current_app, request
from flask.views import MethodView
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy.exc import IntegrityError

from app.api.auth import principal
from app.api.base import SECURITY, api_blueprint, clock, setting
from app.api.errors import flatten
from app.api.schemas import CATEGORIES, RISK_TIERS, ApiInput, PartyIn
from app.channels.grid.models import ReportKind
from app.channels.grid.services import describe, receive_batch, receive_report, summary
from app.inputs import Day, WholeNumber
from app.unit_of_work import run_unit

bp = api_blueprint("api_grid", __name__, "/grid", "网格上报（陇情e通）：安全隐患、矛盾纠纷、社情民意")
MAX_BATCH = 2000
BATCH_BODY = 16 * 1024 * 1024


class GridReportIn(ApiInput):
    """One reported item."""

    external_id = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.-]{1,64}$"),
                                metadata={"description": "陇情e通中的条目编号（幂等键）"})
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in ReportKind]),
                         metadata={"description": "hazard 安全隐患 / dispute 矛盾纠纷 / sentiment 社情民意"})
    grid_code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    reporter = fields.String(required=True, validate=validate.Length(min=1, max=64))
    title = fields.String(required=True, validate=validate.Length(min=4, max=100))
    content = fields.String(required=True, validate=validate.Length(min=10, max=5000))
    department = fields.String(validate=validate.Length(min=1, max=64),
                               metadata={"description": "安全隐患的责任部门编码"})
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    risk_tier = fields.String(load_default="blue", validate=validate.OneOf(RISK_TIERS))
    amount = fields.Float(load_default=0, validate=validate.Range(min=0, max=1e12))
    people_count = WholeNumber(load_default=1, validate=validate.Range(min=1, max=100_000))
    address = fields.String(load_default="", validate=validate.Length(max=200))
    occurred_on = Day()
    parties = fields.List(fields.Nested(PartyIn), validate=validate.Length(max=50))


class GridReportOut(Schema):
    """A received item."""

    id = fields.Integer()
    external_id = fields.String()
    kind = fields.String()
    report_status = fields.String(metadata={"description": "case_opened / routed / recorded"})
    case_code = fields.String(allow_none=True)


class BatchIn(ApiInput):
    """Up to 2,000 items; each is checked on its own."""

    items = fields.List(fields.Raw(), required=True, validate=validate.Length(min=1, max=MAX_BATCH))


class ItemResult(Schema):
    """The outcome of one item of a batch."""

    index = fields.Integer()
    status = fields.String(metadata={"description": "created / existing / rejected"})
    id = fields.Integer()
    external_id = fields.String()
    kind = fields.String()
    report_status = fields.String()
    case_code = fields.String(allow_none=True)
    code = fields.String()
    message = fields.String()
    errors = fields.Dict()


class BatchOut(Schema):
    """Counts and per-item results, in the order sent."""

    created = fields.Integer()
    existing = fields.Integer()
    rejected = fields.Integer()
    results = fields.List(fields.Nested(ItemResult))


class SummaryArgs(ApiInput):
    """Scope of the summary."""

    org_unit = fields.String(validate=validate.Length(min=1, max=64))


class SummaryLine(Schema):
    """Reports of one kind and status."""

    kind = fields.String()
    status = fields.String()
    count = fields.Integer()


def _load_items(raw: list) -> list:
    schema = GridReportIn()  # one instance for the batch: building a schema costs more than a load
    loaded: list[tuple[int, Any, dict[str, Any]]] = []
    for index, item in enumerate(raw):
        try:
            loaded.append((index, schema.load(item), {}))
        except ValidationError as exc:
            loaded.append((index, None, flatten(exc.messages)))
    return loaded


@bp.route("/reports")
class Reports(MethodView):
    """One item."""

    @bp.doc(security=SECURITY)
    @bp.arguments(GridReportIn)
    @bp.response(201, GridReportOut)
    @bp.alt_response(200, schema=GridReportOut, description="重复上报：返回已接收的条目")
    def post(self, values):
        """上报一条（矛盾纠纷立案并从网格员首调开始四级七天）"""
        caller = principal()

        def work():
            report, created = receive_report(values, scope=caller.scope, clock=clock(),
                                             duplicate_window_days=setting("DUPLICATE_WINDOW_DAYS"))
            return describe(report), 201 if created else 200
        return run_unit(work)

    @bp.doc(security=SECURITY)
    @bp.arguments(SummaryArgs, location="query")
    @bp.response(200, SummaryLine(many=True))
    def get(self, args):
        """按类型和状态统计上报（供研判分析）"""
        return summary(args.get("org_unit"), principal().scope)


@bp.before_request
def _batch_body_limit():
    if request.endpoint and request.endpoint.endswith("batch"):
        request.max_content_length = current_app.config.get("API_MAX_BATCH_BODY", BATCH_BODY)


@bp.route("/reports/batch", methods=["POST"])
@bp.doc(security=SECURITY)
@bp.arguments(BatchIn)
@bp.response(200, BatchOut)
def batch(args):
    """批量上报（每次至多 2000 条）：正确的条目入库，错误的逐条返回"""
    caller = principal()
    items = _load_items(args["items"])

    def work():
        return receive_batch(items, scope=caller.scope, clock=clock(),
                             duplicate_window_days=setting("DUPLICATE_WINDOW_DAYS"))
    try:
        result = run_unit(work)
    except IntegrityError:
        # A concurrent upload committed some of the same item ids first. The batch is one
        # transaction, so run it again: it now reads those items and answers them as replays.
        result = run_unit(work)
    return {**result.counts, "results": result.results}
