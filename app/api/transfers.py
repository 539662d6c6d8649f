"""/api/v1/tasks/<id>/transfer and /api/v1/transfers: 转办, and the coordinator's 待审批 list and
decisions — the same services the web pages call (app/inbox/transfers.py)."""

from flask import jsonify, make_response
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from app.api.auth import require_user
from app.api.base import SECURITY, api_blueprint, clock
from app.api.schemas import ApiErrorSchema, ApiInput, TaskOut
from app.errors import Forbidden
from app.extensions import db
from app.inbox import transfers
from app.inbox.queries import visible_task
from app.org.models import Department, User
from app.unit_of_work import run_unit

bp = api_blueprint("api_transfers", __name__, "", "转办：需审批的转办申请与综治中心调度的审批（需用户身份）")


class TransferIn(ApiInput):
    """A 转办: the department to hand the task to, and why."""

    department_id = fields.Integer(required=True, metadata={"description": "服务本案所在地区的其他部门"})
    reason = fields.String(required=True, validate=validate.Length(max=500),
                           metadata={"description": "转办理由（至少 4 个字）"})


class DecisionIn(ApiInput):
    """An approval opinion (optional) or a refusal's reason (required)."""

    reason = fields.String(load_default="", validate=validate.Length(max=500),
                           metadata={"description": "审批意见；不批准时必填"})


def _name(model, row_id) -> str | None:
    row = db.session.get(model, row_id) if row_id is not None else None
    return getattr(row, "name", None) or getattr(row, "display_name", None)


class TransferOut(Schema):
    """A 转办 request and its decision."""

    id = fields.Integer()
    task_id = fields.String()
    state = fields.Method("_state", metadata={
        "description": "pending 待审批 / approved 已批准 / refused 不批准"})
    from_department = fields.Method("_from")
    to_department_id = fields.Integer()
    to_department = fields.Method("_to")
    reason = fields.String()
    requested_by = fields.Method("_requester")
    requested_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)
    decision_reason = fields.String(allow_none=True)

    def _state(self, row) -> str:
        return row.state.value

    def _from(self, row) -> str | None:
        return _name(Department, row.from_department_id)

    def _to(self, row) -> str | None:
        return _name(Department, row.to_department_id)

    def _requester(self, row) -> str | None:
        return _name(User, row.requested_by_id)


class TransferList(Schema):
    """Requests waiting for the caller's approval, oldest first."""

    items = fields.List(fields.Nested(TransferOut))


@bp.route("/tasks/<string:task_id>/transfer", methods=["POST"])
@bp.doc(security=SECURITY)
@bp.arguments(TransferIn)
@bp.response(200, TaskOut, description="已转办：任务已转至所选部门")
@bp.alt_response(202, schema=TransferOut,
                 description="本环节转办须审批：已提交转办申请，等待综治中心调度审批")
@bp.alt_response(403, schema=ApiErrorSchema)
@bp.alt_response(404, schema=ApiErrorSchema)
@bp.alt_response(409, schema=ApiErrorSchema)
@bp.alt_response(422, schema=ApiErrorSchema)
def transfer(args, task_id):
    """转办：转至服务本案所在地区的其他部门；流程要求审批的，提交转办申请"""
    actor = require_user()
    visible_task(task_id, actor)
    outcome = run_unit(lambda: transfers.transfer(task_id, args["department_id"], args["reason"],
                                                  actor=actor, clock=clock()))
    if outcome.pending:
        # a Response passes the 200 schema untouched: the 202 body is a request, not a task
        return make_response(jsonify(TransferOut().dump(outcome.request)), 202)
    return outcome.task


@bp.route("/transfers")
class Waiting(MethodView):
    """The 待审批 list."""

    @bp.doc(security=SECURITY)
    @bp.response(200, TransferList)
    @bp.alt_response(403, schema=ApiErrorSchema)
    def get(self):
        """待审批：本人所在综治中心所辖地区等待审批的转办申请"""
        actor = require_user()
        if not transfers.may_approve(actor):
            raise Forbidden("只有综治中心调度人员可以审批转办")
        return {"items": [row for row, _ in transfers.waiting_for(actor)]}


@bp.route("/transfers/<int:request_id>/approve", methods=["POST"])
@bp.doc(security=SECURITY)
@bp.arguments(DecisionIn)
@bp.response(200, TransferOut)
@bp.alt_response(403, schema=ApiErrorSchema)
@bp.alt_response(404, schema=ApiErrorSchema)
@bp.alt_response(409, schema=ApiErrorSchema)
def approve(args, request_id):
    """批准转办：任务转至所申请的部门，转办理由随任务送达"""
    actor = require_user()
    return run_unit(lambda: transfers.approve(request_id, args["reason"], actor=actor, clock=clock()))


@bp.route("/transfers/<int:request_id>/refuse", methods=["POST"])
@bp.doc(security=SECURITY)
@bp.arguments(DecisionIn)
@bp.response(200, TransferOut)
@bp.alt_response(403, schema=ApiErrorSchema)
@bp.alt_response(404, schema=ApiErrorSchema)
@bp.alt_response(409, schema=ApiErrorSchema)
@bp.alt_response(422, schema=ApiErrorSchema)
def refuse(args, request_id):
    """不批准转办：须说明理由，任务仍由原部门办理"""
    actor = require_user()
    return run_unit(lambda: transfers.refuse(request_id, args["reason"], actor=actor, clock=clock()))
