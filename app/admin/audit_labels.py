"""Chinese words for audit actions and the fields their summaries name."""

ACTIONS = {
    "org_unit.added": "添加组织单位", "org_unit.renamed": "单位改名", "org_unit.moved": "移动单位",
    "org_unit.retired": "撤销单位", "department.added": "添加部门", "department.changed": "修改部门",
    "department.stationed": "设置轮驻期", "department.rotated_out": "部门轮出",
    "user.created": "新建用户", "user.membership_added": "添加岗位",
    "user.membership_removed": "移除岗位", "user.enabled": "启用用户", "user.disabled": "停用用户",
    "user.password_reset": "重置密码", "user.password_changed": "修改密码",
    "user.shared_password_flagged": "公用密码须修改", "lane_rule.saved": "保存泳道规则",
    "calendar.day_changed": "修改工作日历", "calendar.year_imported": "导入年度放假安排",
    "deadline_policy.saved": "保存期限规则", "api_key.created": "新建接口密钥",
    "api_key.revoked": "吊销接口密钥", "personal_token.created": "新建个人令牌",
    "personal_token.revoked": "吊销个人令牌",
    "instance.started": "启动流程", "instance.cancelled": "终止流程", "instance.migrated": "流程迁移",
    "instance.migration_rolled_back": "撤回流程迁移", "task.created": "生成任务",
    "task.claimed": "认领任务", "task.released": "退回认领", "task.completed": "办结任务",
    "task.cancelled": "取消任务", "task.handed_over": "转交任务", "task.reassigned": "改派任务",
    "timers.fired": "定时触发", "timers.failed": "定时触发失败", "case.opened": "受理案件",
    "case.commented": "案件留言", "case.attachment_added": "上传附件",
    "case.risk_changed": "调整风险等级", "case.duplicate_flagged": "标记疑似重复",
    "deployment.created": "部署流程", "report.issued": "签发报告", "hotline.received": "接收12345工单",
    "hotline.result_not_delivered": "12345结果未送达", "supervision.opened": "发起督办",
    "supervision.failed": "督办失败",
}
FIELDS = {
    "name": "名称", "code": "编码", "level": "层级", "parent": "上级单位", "retired": "已撤销",
    "username": "用户名", "display_name": "姓名", "active": "在用", "memberships": "岗位",
    "must_change_password": "须修改密码", "stationing": "驻点方式", "org_unit": "服务单位",
    "periods": "轮驻期", "lane": "泳道", "org_level": "层级", "department_code": "部门编码",
    "role": "角色", "description": "说明", "day": "日期", "is_workday": "上班",
    "warn_share": "预警点", "chase_after": "催办天数", "supervise_after": "督办天数",
    "published": "已录入", "rest_days": "休息日", "make_up_days": "调休上班日", "channels": "渠道",
    "org_unit_ids": "限定单位", "rate_limit": "每分钟上限", "prefix": "前缀", "revoked": "已吊销",
    "user": "用户", "process_id": "流程", "bpmn_id": "环节", "from": "原办理人", "to": "新办理人",
}


def action_label(action: str) -> str:
    """The Chinese name of an audit action (the action itself when none is known)."""
    return ACTIONS.get(action, action)


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
