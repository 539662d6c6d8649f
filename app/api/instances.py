"""/api/v1/processes/<process_id>/instances: start a deployed process by its id."""

from marshmallow import Schema, fields, validate

from app.api.auth import require_user
from app.api.base import SECURITY, api_blueprint, clock
from app.api.schemas import ApiErrorSchema, ApiInput
from app.unit_of_work import run_unit
from app.workflow import starting

bp = api_blueprint("api_instances", __name__, "/processes", "流程实例：按流程标识启动（需用户身份）")


class InstanceStart(ApiInput):
    """Where to start, an optional business key, and the start data."""

    org_unit = fields.String(required=True, validate=validate.Length(min=1, max=64),
                             metadata={"description": "启动单位编码（如乡镇编码）"})
    business_key = fields.String(validate=validate.Regexp(r"^[A-Za-z0-9_.:-]{1,64}$"),
                                 metadata={"description": "业务键；不填则自动生成"})
    data = fields.Dict(keys=fields.String(validate=validate.Length(max=64)), load_default=dict,
                       metadata={"description": "启动数据：文本、数字或是非值，最多 50 项"})


class InstanceOut(Schema):
    """A started instance and the tasks now open in it."""

    id = fields.String()
    process_id = fields.String()
    business_key = fields.String()
    status = fields.String(metadata={"description": "running / completed …"})
    open_task_ids = fields.List(fields.String(), metadata={"description": "此刻待办的任务标识"})


@bp.route("/<string:process_id>/instances", methods=["POST"])
@bp.doc(security=SECURITY)
@bp.arguments(InstanceStart)
@bp.response(201, InstanceOut)
@bp.alt_response(403, schema=ApiErrorSchema)
@bp.alt_response(404, schema=ApiErrorSchema)
@bp.alt_response(422, schema=ApiErrorSchema)
def start(args, process_id):
    """按流程标识启动最新版本（与受理登记同一规则：本单位及下级的综合受理或流程设计人员）"""
    actor = require_user()
    return run_unit(lambda: starting.start_process(
        process_id, org_unit_code=args["org_unit"], data=args["data"],
        business_key=args.get("business_key"), actor=actor, clock=clock()))
