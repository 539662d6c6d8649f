"""/api/v1/tasks/<id>/urge: 催办 / 督办 an overdue task by hand — the service the overdue list's
page calls (app/inbox/urge.py)."""

from marshmallow import Schema, fields, validate

from app.api.auth import require_user
from app.api.base import SECURITY, api_blueprint, clock
from app.api.schemas import ApiErrorSchema, ApiInput
from app.inbox import urge
from app.inbox.queries import visible_task
from app.unit_of_work import run_unit

bp = api_blueprint("api_urging", __name__, "", "催办、督办：对逾期任务手动催办或发起督办（需用户身份）")


class UrgeIn(ApiInput):
    """Which of 催办 / 督办, and the requirement the department reads."""

    kind = fields.String(required=True, validate=validate.OneOf(tuple(urge.KINDS)),
                         metadata={"description": "chase 催办 / supervise 督办（发起督办单）"})
    requirement = fields.String(required=True, validate=validate.Length(max=2000),
                                metadata={"description": "催办或督办要求（至少 5 个字）"})


class UrgeOut(Schema):
    """The notice written (the department's bell and task page show it)."""

    id = fields.Integer()
    task_id = fields.String()
    kind = fields.Method("_kind", metadata={"description": "chase 催办 / supervise 督办"})
    requirement = fields.String(attribute="note")
    overdue_working_days = fields.Integer()
    created_at = fields.DateTime()

    def _kind(self, notice) -> str:
        return next(key for key, kind in urge.KINDS.items() if kind == notice.kind)


@bp.route("/tasks/<string:task_id>/urge", methods=["POST"])
@bp.doc(security=SECURITY)
@bp.arguments(UrgeIn)
@bp.response(201, UrgeOut)
@bp.alt_response(403, schema=ApiErrorSchema)
@bp.alt_response(404, schema=ApiErrorSchema)
@bp.alt_response(409, schema=ApiErrorSchema)
@bp.alt_response(422, schema=ApiErrorSchema)
def urge_task(args, task_id):
    """催办 / 督办：本案所在地区的督办人员或综治中心调度对逾期任务发出要求"""
    actor = require_user()
    visible_task(task_id, actor)
    return run_unit(lambda: urge.urge(task_id, args["kind"], args["requirement"], actor=actor,
                                      clock=clock()))
