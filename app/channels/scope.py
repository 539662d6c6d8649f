"""What a caller may touch: intake channels and org-unit subtrees (None means no limit)."""

from dataclasses import dataclass

from sqlalchemy import or_, select

from app.errors import Forbidden, ValidationFailed
from app.extensions import db
from app.org.models import OrgUnit

EVERYWHERE: "Scope"


@dataclass(frozen=True)
class Scope:
    """Channels an integration may use and the org units (with their subtrees) it may act in."""

    channels: frozenset[str] | None = None
    unit_ids: frozenset[int] | None = None

    def check_channel(self, channel: str) -> None:
        """Refuse a channel outside the scope."""
        if self.channels is not None and channel not in self.channels:
            raise Forbidden(f"该凭证无权使用渠道「{channel}」")

    def covers(self, unit: OrgUnit) -> bool:
        """True when `unit` lies in one of the scope's subtrees."""
        return self.unit_ids is None or bool(self.unit_ids & set(unit.ancestor_ids()))

    def check_unit(self, unit: OrgUnit) -> None:
        """Refuse an org unit outside the scope."""
        if not self.covers(unit):
            raise Forbidden(f"该凭证无权在「{unit.name}」受理或查看案件")

    def units_query(self):
        """A subquery of the org-unit ids in scope (None: no limit)."""
        if self.unit_ids is None:
            return None
        paths = db.session.scalars(select(OrgUnit.path).where(OrgUnit.id.in_(self.unit_ids))).all()
        if not paths:
            return select(OrgUnit.id).where(OrgUnit.id.is_(None))
        return select(OrgUnit.id).where(or_(*[OrgUnit.path.startswith(p) for p in paths]))


EVERYWHERE = Scope()


def unit_by_code(code: str, field: str = "org_unit") -> OrgUnit:
    """The org unit with `code`; a 422 on `field` when there is none."""
    unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if unit is None:
        raise ValidationFailed("所属网格或单位编码不存在", {field: [f"未知的单位编码「{code}」"]})
    return unit
