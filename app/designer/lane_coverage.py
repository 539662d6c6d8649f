"""Which counties a lane's user tasks would reach nobody in: a reminder beside the checks.

Not a refusal: a county may not have staffed a level yet. The designer sees the list before
deploying, with the counties and how many units there have nobody in the lane's role.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lxml import etree
from sqlalchemy import select

from app.extensions import db
from app.org.models import LEVEL_LABELS, ROLE_LABELS, Department, LaneRule, Membership, OrgLevel, OrgUnit

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


@dataclass(frozen=True)
class Gap:
    """A lane whose user tasks reach nobody in some counties."""

    file: str
    element_id: str
    lane: str
    tasks: tuple[str, ...]
    counties: tuple[str, ...]

    @property
    def message(self) -> str:
        """The reminder in Chinese."""
        return (f"泳道「{self.lane}」的任务（{'、'.join(self.tasks)}）在以下县区找不到办理人："
                + "；".join(self.counties))


def _lane_tasks(root) -> dict[tuple[str, str], list[str]]:
    """(lane id, lane name) → names of the user tasks in it."""
    tasks = {t.get("id"): t.get("name") or "未命名任务" for t in root.iter(f"{BPMN}userTask")}
    found: dict[tuple[str, str], list[str]] = {}
    for lane in root.iter(f"{BPMN}lane"):
        names = [tasks[ref.text.strip()] for ref in lane.findall(f"{BPMN}flowNodeRef")
                 if ref.text and ref.text.strip() in tasks]
        if names and lane.get("name"):
            found[(lane.get("id"), lane.get("name"))] = names
    return found


class _Org:
    """The org tree, who holds which role where, and departments, read once per check."""

    def __init__(self) -> None:
        self.units = {u.id: u for u in db.session.scalars(select(OrgUnit))}
        self.staffed = set(db.session.execute(select(Membership.org_unit_id, Membership.role)
                                              .where(Membership.org_unit_id.is_not(None))).all())
        self.departments = list(db.session.scalars(select(Department)))
        self.dept_staffed = set(db.session.execute(select(Membership.department_id, Membership.role)
                                                   .where(Membership.department_id.is_not(None))).all())
        self.counties = sorted((u for u in self.units.values() if u.level == OrgLevel.COUNTY),
                               key=lambda u: u.code)

    def in_county(self, unit: OrgUnit, county: OrgUnit) -> bool:
        return county.id in unit.ancestor_ids()

    def level_gap(self, county: OrgUnit, rule: LaneRule) -> str | None:
        units = [u for u in self.units.values() if u.level == rule.org_level and self.in_county(u, county)]
        empty = [u for u in units if (u.id, rule.role) not in self.staffed]
        if not empty:
            return None
        role = ROLE_LABELS[rule.role] if rule.role else "办理人"
        level = LEVEL_LABELS[rule.org_level] if rule.org_level else "单位"
        return f"{county.name} {len(empty)}/{len(units)} 个{level}没有{role}"

    def department_gap(self, county: OrgUnit, rule: LaneRule) -> str | None:
        chain = set(county.ancestor_ids())
        found = [d for d in self.departments if d.code == rule.department_code and d.org_unit_id in chain]
        if not found:
            return f"{county.name} 没有该部门"
        if rule.role and not any((d.id, rule.role) in self.dept_staffed for d in found):
            return f"{county.name} 的部门没有{ROLE_LABELS.get(rule.role, '办理人')}"
        return None


def lane_gaps(bpmn: Mapping[str, str]) -> list[Gap]:
    """Every lane with user tasks that resolves to nobody in at least one county."""
    rules = {r.lane: r for r in db.session.scalars(select(LaneRule))}
    org = _Org()
    gaps = []
    for name, text in sorted(bpmn.items()):
        try:
            root = etree.fromstring(text.encode("utf-8"))
        except etree.XMLSyntaxError:
            continue  # the checks report it
        for (lane_id, lane), tasks in _lane_tasks(root).items():
            rule = rules.get(lane)
            if rule is None or (rule.org_level is None and not rule.department_code):
                continue  # unknown lanes are refused by the checks; task data picks the rest
            gap = org.department_gap if rule.department_code else org.level_gap
            counties = tuple(filter(None, (gap(county, rule) for county in org.counties)))
            if counties:
                gaps.append(Gap(name, lane_id, lane, tuple(tasks), counties))
    return gaps
