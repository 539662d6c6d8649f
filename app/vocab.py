"""The vocabularies of OneDoor, each defined once: the stored value and its Chinese label side by side.

Every list of codes a case, a task or a channel record stores — channels, categories, risk tiers,
statuses, routes, 后续途径, 督办方式 — is a `Vocabulary` here. Models store the value (the same
strings as ever, so no data migration), marshmallow schemas validate with `one_of(...)`, templates
read the label with the `label` filter (`{{ case.channel|label("channel") }}`), and
`flask processes check` refuses a form whose choice field named like a vocabulary (or marked
`"x-vocabulary": "<name>"`) offers a value outside it.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from marshmallow import validate


class Vocabulary(StrEnum):
    """A stored code with its Chinese label: `Channel.GRID == "grid"`, `.label == "网格员上报"`."""

    label: str

    def __new__(cls, value: str, label: str = "") -> Vocabulary:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def labels(cls) -> dict[str, str]:
        """Value → label, in declaration order (for selects and legacy lookups)."""
        return {m.value: m.label for m in cls}

    @classmethod
    def values(cls) -> tuple[str, ...]:
        """Every stored value, in declaration order."""
        return tuple(m.value for m in cls)

    @classmethod
    def label_of(cls, code: Any, unknown: str | None = None) -> str:
        """The label of `code` (a member or its value); `unknown` (default: the code) when it is none."""
        if code is None or code == "":
            return ""
        try:
            return cls(getattr(code, "value", code)).label
        except ValueError:
            return str(code) if unknown is None else unknown


class Channel(Vocabulary):
    """受理渠道: where a case came from."""

    WALK_IN = "walk_in", "来访窗口"
    GRID = "grid", "网格员上报"
    HOTLINE_12345 = "hotline_12345", "12345 热线工单"
    POLICE = "police", "警情转办"
    PETITION = "petition", "信访转办"
    COURT = "court", "法院委派（诉前调解）"
    FOLLOW_UP = "follow_up", "回访发现（续案）"
    SELF_SERVICE = "self_service", "群众网上自助"
    OPEN311 = "open311", "311 标准接口"


# The channels an integration opens cases through with POST /api/v1/cases …
API_CASE_CHANNELS = (Channel.WALK_IN, Channel.GRID, Channel.HOTLINE_12345, Channel.POLICE,
                     Channel.PETITION, Channel.COURT)
# … and those an API key may be granted (Open311 clients use their own endpoint).
API_KEY_CHANNELS = (*API_CASE_CHANNELS, Channel.OPEN311)
# Channels owed a result callback when their case concludes (三调对接 and 12345).
CALLBACK_CHANNELS = (Channel.HOTLINE_12345, Channel.POLICE, Channel.PETITION, Channel.COURT)


class Category(Vocabulary):
    """纠纷类别."""

    MARRIAGE_FAMILY = "marriage_family", "婚姻家庭"
    NEIGHBOUR = "neighbour", "邻里"
    HOUSING_LAND = "housing_land", "房屋宅基地"
    CONTRACT = "contract", "合同"
    BUSINESS = "business", "生产经营"
    DAMAGES = "damages", "损害赔偿"
    FOREST_LAND = "forest_land", "山林土地"
    REQUISITION = "requisition", "征地拆迁"
    POLLUTION = "pollution", "环境污染"
    LABOUR = "labour", "劳动争议"
    CONSUMER = "consumer", "消费"
    MEDICAL = "medical", "医疗"
    TRAFFIC = "traffic", "道路交通事故"
    PROPERTY_SERVICE = "property_service", "物业"
    OTHER = "other", "其它"


class RiskTier(Vocabulary):
    """风险等级（红橙黄蓝）."""

    RED = "red", "红色"
    ORANGE = "orange", "橙色"
    YELLOW = "yellow", "黄色"
    BLUE = "blue", "蓝色"


class CaseStatus(Vocabulary):
    """Where a case stands; written only by the transition methods of `app.cases.models.Case`."""

    IN_PROGRESS = "in_progress", "办理中"
    RESOLVED = "resolved", "已化解（待回访）"  # 已化解，待回访
    CLOSED = "closed", "已销号"
    UNRESOLVED = "unresolved", "未化解"  # 未化解，已告知后续途径
    REFERRED = "referred", "已移交"  # 已移交（如劳动仲裁）
    REOPENED = "reopened", "已立续案"  # 回访发现新苗头，已立续案


# A case in these is still being worked on; any other status is a concluded case (closed_at set).
OPEN_STATUSES = (CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED)


class Route(Vocabulary):
    """化解途径 chosen by routing.dmn."""

    ON_THE_SPOT = "on_the_spot", "当场调解"
    FOUR_LEVELS = "four_levels", "四级七天"
    DEPARTMENT_WINDOW = "department_window", "部门窗口"
    WHISTLE = "whistle", "中心吹哨、部门报到"
    REFERRAL = "referral", "三调对接"


class PartyRole(Vocabulary):
    """当事人身份."""

    APPLICANT = "applicant", "申请人"
    RESPONDENT = "respondent", "被申请人"
    THIRD_PARTY = "third_party", "第三人"
    OTHER = "other", "其他"


# What intake (every channel, every form) accepts; OTHER only labels older records.
INTAKE_PARTY_ROLES = (PartyRole.APPLICANT, PartyRole.RESPONDENT, PartyRole.THIRD_PARTY)


class NextRoute(Vocabulary):
    """后续途径: what an unresolved dispute's parties are told they can do next (failure_record)."""

    LITIGATION = "litigation", "诉讼"
    ARBITRATION = "arbitration", "仲裁"
    PETITION = "petition", "信访"
    ADMINISTRATIVE = "administrative", "行政处理"
    OTHER = "other", "其他"


class SupervisionMeasure(Vocabulary):
    """督办方式 of a 督办 (supervision of an overdue task) and of a 督办单."""

    REMINDER = "reminder", "催办"
    INTERVIEW = "interview", "约谈"
    NOTICE = "notice", "通报"


class HotlineOrderStatus(Vocabulary):
    """Where a 12345 work order stands (set by the hotline_order process's `order_status`)."""

    RECEIVED = "received", "已接收"
    SIGNED = "signed", "已签收"
    RETURNED = "returned", "已退回"
    REPLIED = "replied", "已回复"
    CLOSED = "closed", "已办结"


class GridReportStatus(Vocabulary):
    """What became of a grid worker's report."""

    RECORDED = "recorded", "已登记"
    CASE_OPENED = "case_opened", "已立案"
    ROUTED = "routed", "已转办"
    TASK_OPENED = "task_opened", "已派发隐患处置任务"


class DuplicateStatus(Vocabulary):
    """A 疑似重复 flag: waiting for a decision, merged into its original, or kept."""

    FLAGGED = "flagged", "疑似重复"
    MERGED = "merged", "已合并"
    KEPT = "kept", "已保留"


class DuplicateDecision(Vocabulary):
    """The decision on a flagged duplicate."""

    MERGE = "merge", "合并"
    KEEP = "keep", "保留"


class TaskState(Vocabulary):
    """State of a human task row."""

    READY = "ready", "待办"
    COMPLETED = "completed", "已办结"
    CANCELLED = "cancelled", "已取消"


VOCABULARIES: dict[str, type[Vocabulary]] = {
    "channel": Channel, "category": Category, "risk_tier": RiskTier, "case_status": CaseStatus,
    "route": Route, "party_role": PartyRole, "next_route": NextRoute,
    "supervision_measure": SupervisionMeasure, "hotline_order_status": HotlineOrderStatus,
    "grid_report_status": GridReportStatus, "duplicate_status": DuplicateStatus,
    "duplicate_decision": DuplicateDecision, "task_state": TaskState,
}
# What designers read when a form strays from a vocabulary.
TITLES: dict[str, str] = {
    "channel": "受理渠道", "category": "纠纷类别", "risk_tier": "风险等级", "case_status": "案件状态",
    "route": "化解途径", "party_role": "当事人身份", "next_route": "后续途径",
    "supervision_measure": "督办方式", "hotline_order_status": "12345 工单状态",
    "grid_report_status": "网格上报状态", "duplicate_status": "疑似重复状态",
    "duplicate_decision": "疑似重复处理", "task_state": "任务状态",
}
# Form fields whose name alone says which vocabulary their choices must come from
# (a field may also say so with "x-vocabulary": "<name>"). Paths as `unlabelled_enums` writes them.
FORM_FIELDS: dict[str, str] = {
    "channel": "channel", "category": "category", "risk_tier": "risk_tier",
    "case_status": "case_status", "route": "route", "parties.[]role": "party_role",
    "next_route": "next_route", "supervision_measure": "supervision_measure",
}


def one_of(values: Iterable[str] | type[Vocabulary], **kwargs: Any) -> validate.OneOf:
    """A marshmallow validator accepting the values of a vocabulary (or of a subset of it)."""
    return validate.OneOf([getattr(v, "value", v) for v in values], **kwargs)


def vocabulary(name: str) -> type[Vocabulary]:
    """The vocabulary called `name` (KeyError when there is none)."""
    return VOCABULARIES[name]


def label(code: Any, name: str, unknown: str | None = None) -> str:
    """The Chinese label of `code` in the vocabulary `name` (the Jinja filter `label`)."""
    return VOCABULARIES[name].label_of(code, unknown)
