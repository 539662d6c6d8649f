"""Chinese words for audit actions and the fields their summaries name."""

from app.audit.labels import ACTIONS as AUDIT_ACTIONS
from app.audit.labels import action_label as audit_action_label

ACTIONS = AUDIT_ACTIONS  # one table: app/audit/labels.py
FIELDS = {
    "name": "名称", "code": "编码", "level": "层级", "parent": "上级单位", "retired": "已撤销",
    "username": "用户名", "display_name": "姓名", "active": "在用", "memberships": "岗位",
    "must_change_password": "须修改密码", "stationing": "驻点方式", "org_unit": "所在单位",
    "served": "另服务单位",
    "periods": "轮驻期", "lane": "泳道", "org_level": "层级", "department_code": "部门编码",
    "role": "角色", "description": "说明", "day": "日期", "is_workday": "上班",
    "warn_share": "预警点", "chase_after": "催办天数", "supervise_after": "督办天数",
    "published": "已录入", "rest_days": "休息日", "make_up_days": "调休上班日", "channels": "渠道",
    "org_unit_ids": "限定单位", "rate_limit": "每分钟上限", "prefix": "前缀", "revoked": "已吊销",
    "user": "用户", "process_id": "流程", "bpmn_id": "环节", "from": "原办理人", "to": "新办理人",
}


def action_label(action: str) -> str:
    """The Chinese name of an audit action (the action itself when none is known)."""
    return audit_action_label(action, unknown=action)


def value_text(value) -> str:
    """A summary value in words."""
    if value is None:
        return "无"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(value_text(v) for v in value) or "无"
    if isinstance(value, dict):
        return "；".join(f"{FIELDS.get(k, k)}：{value_text(v)}" for k, v in value.items())
    return str(value)


def change_text(summary: dict) -> str:
    """「subject：field before → after；…」 naming only what changed."""
    before, after = summary.get("before"), summary.get("after")
    subject = summary.get("subject", "")
    if before is None:
        return f"{subject}：新建（{value_text(after)}）"
    if after is None:
        return f"{subject}：删除（{value_text(before)}）"
    changed = [k for k in {**before, **after} if before.get(k) != after.get(k)]
    parts = [f"{FIELDS.get(k, k)} {value_text(before.get(k))} → {value_text(after.get(k))}"
             for k in changed]
    return f"{subject}：{'；'.join(parts) or '无变化'}"
