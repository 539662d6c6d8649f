"""Chinese labels of the case fields supervisors filter and reports group by."""

from app.org.models import ROLE_LABELS, Role

CHANNEL_LABELS = {"walk_in": "来访窗口", "grid": "网格员上报", "hotline_12345": "12345 热线",
                  "police": "警情转办", "petition": "信访转办", "court": "法院委派（诉前调解）",
                  "follow_up": "回访续案"}
CATEGORY_LABELS = {"marriage_family": "婚姻家庭", "neighbour": "邻里", "housing_land": "房屋宅基地",
                   "contract": "合同", "business": "生产经营", "damages": "损害赔偿",
                   "forest_land": "山林土地", "requisition": "征地拆迁", "pollution": "环境污染",
                   "labour": "劳动争议", "consumer": "消费", "medical": "医疗", "traffic": "道路交通事故",
                   "property_service": "物业", "other": "其它"}
TIER_LABELS = {"red": "红", "orange": "橙", "yellow": "黄", "blue": "蓝"}
LEVEL_LABELS = {"网格员": "网格员", "村调委会": "村（社区）调委会", "乡镇综治中心": "乡镇综治中心",
                "乡镇党委政府": "乡镇党委政府", "县综治中心": "县综治中心"}


def label(mapping: dict[str, str], key: str | None, empty: str = "—") -> str:
    """The Chinese label of `key`, the key itself when unknown, `empty` for none."""
    if not key:
        return empty
    return mapping.get(key, key)


def role_label(role: Role | None) -> str:
    """A role's Chinese name."""
    return ROLE_LABELS.get(role, "") if role else ""
