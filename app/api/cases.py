"""/api/v1/cases: create (统一受理), search, get with route map, decide a duplicate."""

from datetime import datetime
from typing import Any

from flask.views import MethodView

from app.api.auth import principal, require_user
from app.api.base import SECURITY, api_blueprint, clock, setting
from app.api.schemas import (
    ApiErrorSchema,
    CaseCreate,
    CaseDetail,
    CasePage,
    CaseSearchArgs,
    DuplicateDecision,
    DuplicateOut,
)
from app.cases import access
from app.cases.listing import CaseQuery, search_cases
from app.cases.models import Case
from app.cases.routemap import route_map
from app.cases.services import case_facts, viewable_case
from app.channels.duplicates.services import decide, describe
from app.channels.intake import receive_case
from app.channels.scope import Scope
from app.org.services import Actor
from app.unit_of_work import run_unit

bp = api_blueprint("api_cases", __name__, "/cases", "案件：统一受理、检索、详情与路线图、疑似重复处理")


def _rendered(cases: list[Case], *, reveal: bool) -> list[dict[str, Any]]:
    """Cases as the API shows them (parties masked unless `reveal`); the schemas pick the fields."""
    facts = case_facts(cases)
    views = []
    for case in cases:
        flag = facts.flags.get(case.id)
        views.append({
            **{column: getattr(case, column) for column in (
                "code", "title", "channel", "external_ref", "category", "people_count", "address",
                "occurred_on", "received_at", "route", "handling_department", "level",
                "current_due_at", "due_estimated", "result", "narrative", "agreement",
                "return_visit")},
            "risk_tier": case.risk_tier.value, "status": case.status.value,
            "amount": None if case.amount is None else float(case.amount),
            "org_unit": facts.units[case.org_unit_id],
            "parties": [{"name": p.name, "role": p.role,
                         "id_number": p.id_number if reveal else p.masked_id_number,
                         "phone": p.phone if reveal else p.masked_phone} for p in case.parties],
            "duplicate": None if flag is None else {
                "duplicate_of": flag[1], "status": flag[0].status, "reason": flag[0].reason},
        })
    return views


def case_detail(code: str, actor: Actor | None, scope: Scope, now: datetime) -> dict[str, Any]:
    """A case the caller may see with its route map (路线图), personal data masked as on the web."""
    case = viewable_case(code, actor, scope)
    [view] = _rendered([case], reveal=access.in_handling_scope(actor, case))
    view["route_map"] = route_map(case, now).steps
    return view


@bp.route("")
class Cases(MethodView):
    """The case collection."""

    @bp.doc(security=SECURITY)
    @bp.arguments(CaseSearchArgs, location="query")
    @bp.response(200, CasePage)
    @bp.alt_response(401, schema=ApiErrorSchema)
    @bp.alt_response(422, schema=ApiErrorSchema)
    def get(self, args):
        """检索案件（按状态、渠道、类别、单位、受理日期、编码/标题，分页）"""
        caller = principal()
        page = search_cases(caller.actor, CaseQuery.from_api(args), caller.scope)
        return {"items": _rendered(page.rows, reveal=False), "total": page.total, "page": page.page,
                "pages": page.pages, "per_page": page.per_page, "more": page.more}

    @bp.doc(security=SECURITY)
    @bp.arguments(CaseCreate)
    @bp.response(201, CaseDetail)
    @bp.alt_response(401, schema=ApiErrorSchema)
    @bp.alt_response(403, schema=ApiErrorSchema)
    @bp.alt_response(413, schema=ApiErrorSchema)
    @bp.alt_response(422, schema=ApiErrorSchema)
    def post(self, values):
        """统一受理：登记案件、生成案件编码并启动矛盾纠纷化解流程"""
        caller = principal()
        now = clock()

        def work():
            case = receive_case(values, values["org_unit"], scope=caller.scope, clock=now,
                                actor=caller.actor,
                                duplicate_window_days=setting("DUPLICATE_WINDOW_DAYS"))
            return case_detail(case.code, caller.actor, caller.scope, now.now())
        return run_unit(work)


@bp.route("/<string:code>")
class CaseItem(MethodView):
    """One case."""

    @bp.doc(security=SECURITY)
    @bp.response(200, CaseDetail)
    @bp.alt_response(403, schema=ApiErrorSchema)
    @bp.alt_response(404, schema=ApiErrorSchema)
    def get(self, code):
        """案件详情与路线图（仅办理该案件的人可见完整身份证号和电话，规则同网页）"""
        caller = principal()
        return case_detail(code, caller.actor, caller.scope, clock().now())


@bp.route("/<string:code>/duplicate")
class CaseDuplicateDecision(MethodView):
    """The duplicate flag of a case."""

    @bp.doc(security=SECURITY)
    @bp.arguments(DuplicateDecision)
    @bp.response(200, DuplicateOut)
    @bp.alt_response(404, schema=ApiErrorSchema)
    @bp.alt_response(409, schema=ApiErrorSchema)
    def post(self, args, code):
        """疑似重复：合并（本案销号并停止流程）或保留"""
        caller = principal()
        actor = require_user()
        case_detail(code, actor, caller.scope, clock().now())  # 403 unless the caller may see it
        return run_unit(lambda: describe(decide(code, args["decision"], actor=actor, clock=clock())))
