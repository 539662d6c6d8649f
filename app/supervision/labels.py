"""Chinese labels of the levels and roles supervisors see (case vocabularies: app/vocab.py)."""

from app.org.models import ROLE_LABELS, Role

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
