"""Marshmallow schemas of the API resources (cases, tasks, deployments, pages, errors)."""


from marshmallow import Schema, ValidationError, fields, pre_load, validate

from app.inputs import Day, WholeNumber, bad_text_paths
from app.vocab import (
    API_CASE_CHANNELS,
    INTAKE_PARTY_ROLES,
    CaseStatus,
    Category,
    DuplicateStatus,
    RiskTier,
    TaskState,
    one_of,
)
from app.vocab import DuplicateDecision as Decision

ID_NUMBER = r"^[1-9][0-9]{16}[0-9Xx]$"
PHONE = r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$"


class ApiInput(Schema):
    """Base of every input schema: refuses text no database stores (NUL, lone surrogates) anywhere,
    with the field paths."""

    @pre_load
    def _storable_text(self, data, **kwargs):
        plain = {key: data[key] for key in data} if hasattr(data, "getlist") else data  # query args
        bad = bad_text_paths(plain)
        if bad:
            raise ValidationError({path: ["含有不允许的字符（控制字符或无效的 Unicode）"] for path in bad})
        return data


class ApiErrorSchema(Schema):
    """Every error response."""

    code = fields.String(metadata={"description": "稳定的英文错误码，如 validation_failed"})
    message = fields.String(metadata={"description": "中文说明"})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "字段路径 → 错误信息，如 parties.0.phone"})


class PartyIn(ApiInput):
    """A party as submitted."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    role = fields.String(required=True, validate=one_of(INTAKE_PARTY_ROLES))
    id_number = fields.String(validate=validate.Regexp(ID_NUMBER))
    phone = fields.String(validate=validate.Regexp(PHONE))


class IntakeFields(ApiInput):
    """The intake fields shared by every channel (统一受理登记)."""

    title = fields.String(required=True, validate=validate.Length(min=4, max=100))
    narrative = fields.String(required=True, validate=validate.Length(min=10, max=5000))
    category = fields.String(required=True, validate=one_of(Category))
    risk_tier = fields.String(load_default=RiskTier.BLUE.value, validate=one_of(RiskTier))
    amount = fields.Float(load_default=0, validate=validate.Range(min=0, max=999_999_999_999))
    people_count = WholeNumber(load_default=1, validate=validate.Range(min=1, max=100_000))
    address = fields.String(load_default="", validate=validate.Length(max=200))
    occurred_on = Day(metadata={"description": "发生日期：不晚于今天，不早于 1900-01-01"})
    parties = fields.List(fields.Nested(PartyIn), required=True,
                          validate=validate.Length(min=1, max=50))


class CaseCreate(IntakeFields):
    """POST /cases: a case from any channel at a grid or org unit (by code)."""

    channel = fields.String(required=True, validate=one_of(API_CASE_CHANNELS))
    org_unit = fields.String(required=True, validate=validate.Length(min=1, max=64),
                             metadata={"description": "网格或单位编码（org_unit.code），如 zy-1-1-1-1"})
    external_ref = fields.String(validate=validate.Length(min=1, max=64))


class PartyOut(Schema):
    """A party; ID number and phone are masked unless the caller handles the case."""

    name = fields.String()
    role = fields.String()
    id_number = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)


class UnitOut(Schema):
    """An org unit."""

    code = fields.String()
    name = fields.String()


class DuplicateOut(Schema):
    """The duplicate flag of a case."""

    duplicate_of = fields.String(metadata={"description": "疑似重复的原案件编码"})
    status = fields.String(metadata={"description": " | ".join(DuplicateStatus.values())})
    reason = fields.String()


class CaseOut(Schema):
    """A case in lists."""

    code = fields.String()
    title = fields.String()
    channel = fields.String()
    external_ref = fields.String(allow_none=True)
    category = fields.String()
    risk_tier = fields.String()
    amount = fields.Float(allow_none=True)
    people_count = fields.Integer()
    org_unit = fields.Nested(UnitOut)
    address = fields.String()
    occurred_on = fields.Date(allow_none=True)
    received_at = fields.DateTime()
    status = fields.String()
    route = fields.String(allow_none=True)
    handling_department = fields.String(allow_none=True)
    level = fields.String(allow_none=True)
    current_due_at = fields.DateTime(allow_none=True)
    due_estimated = fields.Boolean()
    result = fields.String(allow_none=True)
    parties = fields.List(fields.Nested(PartyOut))
    duplicate = fields.Nested(DuplicateOut, allow_none=True)


class StepOut(Schema):
    """One step of the route map (路线图)."""

    title = fields.String()
    procedure = fields.String(metadata={"description": "流程名称"})
    who = fields.String(metadata={"description": "承办部门或岗位"})
    process_id = fields.String()
    bpmn_id = fields.String()
    lane = fields.String(allow_none=True)
    state = fields.String(attribute="task_state", metadata={"description": " | ".join(TaskState.values())})
    created_at = fields.DateTime(attribute="started")
    due_at = fields.DateTime(allow_none=True)
    completed_at = fields.DateTime(attribute="finished", allow_none=True)
    minutes = fields.Integer(metadata={"description": "该环节已用或共用分钟数"})
    overdue = fields.Boolean()


class CaseDetail(CaseOut):
    """A case with its narrative, agreement, return visit and route map."""

    narrative = fields.String()
    agreement = fields.Dict(allow_none=True)
    return_visit = fields.Dict(allow_none=True)
    route_map = fields.List(fields.Nested(StepOut))


class CaseSearchArgs(ApiInput):
    """Filters and paging of GET /cases."""

    status = fields.String(validate=one_of(CaseStatus))
    channel = fields.String(validate=one_of(API_CASE_CHANNELS))
    category = fields.String(validate=one_of(Category))
    org_unit = fields.String(validate=validate.Length(min=1, max=64),
                             metadata={"description": "该单位及其下级"})
    received_from = Day()
    received_to = Day()
    q = fields.String(validate=validate.Length(max=64), metadata={"description": "编码或标题"})
    duplicate = fields.String(validate=one_of(DuplicateStatus))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class PageMeta(Schema):
    """Paging of a list."""

    total = fields.Integer()
    page = fields.Integer()
    pages = fields.Integer()
    per_page = fields.Integer()


class CasePage(PageMeta):
    """A page of cases."""

    items = fields.List(fields.Nested(CaseOut))
    more = fields.Boolean(metadata={"description": "超过 total（2000）件时为真：请缩小检索范围"})


class DuplicateDecision(ApiInput):
    """合并或保留 a flagged duplicate."""

    decision = fields.String(required=True, validate=one_of(Decision))


class TaskOut(Schema):
    """A human task."""

    id = fields.String()
    business_key = fields.String(metadata={"description": "案件编码或工单业务键"})
    process_id = fields.String()
    bpmn_id = fields.String()
    title = fields.String()
    lane = fields.String(allow_none=True)
    state = fields.Method("_state")
    created_at = fields.DateTime()
    due_at = fields.DateTime(allow_none=True)
    claimed = fields.Method("_claimed")
    form_key = fields.String(allow_none=True)

    def _state(self, task) -> str:
        return task.state.value

    def _claimed(self, task) -> bool:
        return task.assignee_id is not None


class TaskDetail(TaskOut):
    """A task with its form (JSON Schema) and the values known so far."""

    form = fields.Dict(allow_none=True)
    values = fields.Dict()
    mine = fields.Boolean()


class TaskListArgs(ApiInput):
    """Tab, search and paging of GET /tasks (我的待办)."""

    tab = fields.String(load_default="todo", validate=validate.OneOf(("todo", "mine", "due", "done")))
    q = fields.String(load_default="", validate=validate.Length(max=64))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    counts = fields.Boolean(load_default=True,
                            metadata={"description": "false：只统计所选页签（轮询的客户端无需角标）"})


class TaskPage(PageMeta):
    """A page of tasks and the count of every tab."""

    items = fields.List(fields.Nested(TaskOut))
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())


class TaskComplete(ApiInput):
    """The form data of a task."""

    data = fields.Dict(keys=fields.String(), required=True,
                       metadata={"description": "按任务表单（JSON Schema）填写的字段"})
    claim = fields.Boolean(load_default=False,
                           metadata={"description": "true：尚未认领时先认领再办理（同一事务，一次调用）"})


class DeploymentOut(Schema):
    """A deployed process version."""

    id = fields.Integer()
    process_id = fields.String()
    version = fields.Integer()
    content_hash = fields.String()
    created_at = fields.DateTime()
    note = fields.String()


class DeploymentArgs(ApiInput):
    """Filter of GET /deployments."""

    process_id = fields.String(validate=validate.Length(min=1, max=128))
    latest = fields.Boolean(load_default=False, metadata={"description": "只列每个流程的最新版本"})
