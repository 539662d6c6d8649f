"""What retiring a unit or rotating a department out will do, said before it is done.

Both are refused here exactly as the change itself would refuse them, so the administrator
never confirms something that then fails.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from app.admin import departments, org_tree
from app.admin.access import AdminScope
from app.cases.models import Case, CaseStatus
from app.clock import local_zone
from app.extensions import db
from app.inbox import staffing
from app.workflow.models import HumanTask, TaskState


@dataclass(frozen=True)
class Consequences:
    """A confirmation step: what is about to happen, in words."""

    title: str
    lines: tuple[str, ...]
    button: str


def _open_tasks(*conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(HumanTask).where(
        HumanTask.state == TaskState.READY, *conditions)) or 0


def of_retiring(scope: AdminScope, unit_id: int) -> Consequences:
    """What retiring the unit does: open cases and tasks stay, no new cases or tasks there."""
    unit = org_tree.retirable(scope, unit_id)
    cases = db.session.scalar(select(func.count()).select_from(Case).where(
        Case.org_unit_id == unit.id, Case.status == CaseStatus.IN_PROGRESS)) or 0
    tasks = _open_tasks(HumanTask.candidate_org_unit_id == unit.id)
    return Consequences(f"确认撤销「{unit.name}」", (
        f"撤销后「{unit.name}」不再受理新案件，也不再向其分派新任务；受理登记和网格员上报中不再出现该单位。",
        f"该单位现有办理中的案件 {cases} 件、待办任务 {tasks} 项，均照常办理，不受影响。",
        "单位记录不会删除，历史案件仍指向它。"), f"确认撤销{unit.name}")


def of_rotating_out(scope: AdminScope, department_id: int, now: datetime) -> Consequences:
    """What rotating the department out does: it takes no new tasks; what its members hold stays
    with them, the rest goes to the coordinators (app/inbox/staffing.py)."""
    department, _ = departments.current_periods(
        scope, department_id, now.astimezone(local_zone()).date())
    tasks = _open_tasks(HumanTask.candidate_department_id == department.id)
    working = staffing.active_member_ids(department.id)
    held = _open_tasks(HumanTask.candidate_department_id == department.id,
                       HumanTask.assignee_id.in_(working)) if working else 0
    name = f"{department.org_unit.name}{department.name}"
    return Consequences(f"确认轮出「{name}」", (
        f"轮出后，从今天起「{name}」不再接收新任务，直到再次登记轮驻期。",
        f"该部门现有待办任务 {tasks} 项：已由该部门人员认领的 {held} 项仍由其办理；"
        f"尚未认领的 {tasks - held} 项因部门无人接收，转由综治中心调度办理。"),
        f"确认轮出{department.name}")
