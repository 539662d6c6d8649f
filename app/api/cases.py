"""/api/v1/cases: create (统一受理), search, get with route map, decide a duplicate."""

from flask.views import MethodView

from app.api.auth import principal, require_user
from app.api.base import SECURITY, api_blueprint, clock, setting
from app.api.casework import CaseFilters, case_detail, search_cases
from app.api.schemas import (
    ApiErrorSchema,
    CaseCreate,
    CaseDetail,
    CasePage,
    CaseSearchArgs,
    DuplicateDecision,
    DuplicateOut,
)
from app.channels.duplicates.services import decide, describe
from app.channels.intake import receive_case
from app.unit_of_work import run_unit

bp = api_blueprint("api_cases", __name__, "/cases", "案件：统一受理、检索、详情与路线图、疑似重复处理")


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
        return search_cases(CaseFilters(**args), caller.actor, caller.scope)

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
