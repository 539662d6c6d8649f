"""Chinese labels for the codes stored on a case (one place for pages, exports and reports)."""

from app.audit.labels import action_label

CHANNELS = {
    "walk_in": "来访窗口", "grid": "网格员上报", "hotline_12345": "12345 热线工单",
    "police": "警情转办", "petition": "信访转办", "court": "法院委派（诉前调解）",
    "follow_up": "回访发现（续案）", "self_service": "群众网上自助",
    "open311": "311 标准接口",
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





def audit_action(action: str) -> str:
    """The Chinese name of an audit event; never the event code itself."""
    return action_label(action)
