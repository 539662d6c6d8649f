"""Chinese labels for the codes stored on a case (one place for pages, exports and reports)."""

CHANNELS = {
    "walk_in": "来访窗口", "grid": "网格员上报", "hotline_12345": "12345 热线工单",
    "police": "警情转办", "petition": "信访转办", "court": "法院委派（诉前调解）",
    "follow_up": "回访发现（续案）",
}
CATEGORIES = {
    "marriage_family": "婚姻家庭", "neighbour": "邻里", "housing_land": "房屋宅基地",
    "contract": "合同", "business": "生产经营", "damages": "损害赔偿", "forest_land": "山林土地",
    "requisition": "征地拆迁", "pollution": "环境污染", "labour": "劳动争议", "consumer": "消费",
    "medical": "医疗", "traffic": "道路交通事故", "property_service": "物业", "other": "其它",
}
RISK_TIERS = {"red": "红色", "orange": "橙色", "yellow": "黄色", "blue": "蓝色"}
ROUTES = {
    "on_the_spot": "当场调解", "four_levels": "四级七天", "department_window": "部门窗口",
    "whistle": "中心吹哨、部门报到", "referral": "三调对接",
}
PARTY_ROLES = {"applicant": "申请人", "respondent": "被申请人", "third_party": "第三人",
               "other": "其他"}


def label(table: dict[str, str], code: str | None) -> str:
    """The Chinese label of `code`, or the code itself when unknown."""
    if code is None:
        return ""
    return table.get(code, code)


AUDIT_ACTIONS = {
    "case.opened": "受理登记", "case.duplicate_flagged": "标记疑似重复", "case.risk_changed": "调整风险等级",
    "case.commented": "留言", "case.attachment_added": "上传附件", "case.document_generated": "生成文书",
    "instance.started": "流程启动", "instance.cancelled": "流程终止", "instance.migrated": "流程版本迁移",
    "instance.migration_rolled_back": "流程版本迁移回退", "task.created": "生成任务",
    "task.claimed": "认领任务", "task.released": "退回待办", "task.completed": "办结任务",
    "task.cancelled": "任务取消", "task.handed_over": "转交任务", "task.transferred": "转办",
    "task.returned": "退回", "task.extension_requested": "延期申请", "task.extension_decided": "延期审批",
    "task.chased": "催办", "timers.fired": "期限到达", "timers.failed": "定时处理失败",
    "message.delivered": "收到消息", "hotline.received": "接收12345工单",
    "hotline.result_not_delivered": "12345办理结果回传失败", "supervision.opened": "发起督办",
    "supervision.failed": "督办发起失败", "report.issued": "发布报告", "deployment.created": "发布流程",
}


def audit_action(action: str) -> str:
    """The Chinese name of an audit event; never the event code itself."""
    return AUDIT_ACTIONS.get(action, "其他操作")
