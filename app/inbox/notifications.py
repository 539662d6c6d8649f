"""The bell: new tasks offered to me and deadline notices (warnings, 催办, 督办) since I last looked."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select

from app.extensions import db
from app.inbox.queries import candidate_tasks
from app.org.models import Role, User
from app.org.services import Actor
from app.supervision.services import notices_for
from app.supervision.warning_handling import open_warnings_for
from app.supervision.warnings import LABELS as WARNING_LABELS
from app.workflow.doctor import PROBLEM_TEXT, findings_for_units
from app.workflow.models import HumanTask, TaskState

LIMIT = 30


@dataclass(frozen=True)
class Item:
    """One line of the notification list."""

    kind: str        # new_task | warning | chase | supervision | …
    label: str
    text: str
    business_key: str
    task_id: str | None
    at: datetime
    unread: bool
    warning_id: int | None = None  # a 风险预警: the line links to the warnings page


def _new_tasks(actor: Actor, since: datetime | None):
    query = select(HumanTask).where(HumanTask.state == TaskState.READY,
                                    HumanTask.assignee_id.is_(None), candidate_tasks(actor, None))
    if since is not None:
        query = query.where(HumanTask.created_at > since)
    return query


def _stuck_instances(actor: Actor, seen_at: datetime | None) -> list[Item]:
    """Instances the doctor found stuck or inconsistent, for center coordinators of their area."""
    units = [unit for unit, role in actor.unit_roles if role == Role.CENTER_COORDINATOR]
    return [Item("stuck_instance", "流程异常", f"{f.business_key}：{PROBLEM_TEXT[f.problem]}",
                 f.business_key, None, f.found_at, seen_at is None or f.found_at > seen_at)
            for f in findings_for_units(units, limit=LIMIT)] if units else []


def _warnings(actor: Actor, seen_at: datetime | None) -> list[Item]:
    """风险预警 not yet closed, for the center coordinators they are raised to."""
    return [Item("risk_warning", "风险预警", f"{WARNING_LABELS.get(w.rule, '风险预警')}：{w.text}",
                 (w.evidence.get("cases") or [""])[0], None, w.created_at,
                 seen_at is None or w.created_at > seen_at, warning_id=w.id)
            for w in open_warnings_for(actor, limit=LIMIT)]


def unread_count(actor: Actor, seen_at: datetime | None) -> int:
    """How many new tasks and notices arrived since `seen_at` (capped at LIMIT for the badge)."""
    tasks = db.session.scalar(select(func.count()).select_from(
        _new_tasks(actor, seen_at).limit(LIMIT).subquery())) or 0
    stuck = sum(item.unread for item in _stuck_instances(actor, seen_at))
    warned = len(open_warnings_for(actor, since=seen_at, limit=LIMIT))
    return min(LIMIT, tasks + stuck + warned + len(notices_for(actor, since=seen_at, limit=LIMIT)))


def items(actor: Actor, seen_at: datetime | None) -> list[Item]:
    """The latest new tasks and notices, newest first; those after `seen_at` are unread."""
    def unread(at: datetime) -> bool:
        return seen_at is None or at > seen_at
    tasks = db.session.scalars(_new_tasks(actor, None).order_by(HumanTask.created_at.desc())
                               .limit(LIMIT)).all()
    found = [Item("new_task", "新任务", t.title, t.business_key, t.id, t.created_at, unread(t.created_at))
             for t in tasks]
    found += [Item(n.kind, n.kind_label, n.text, n.business_key, n.task_id, n.created_at,
                   unread(n.created_at)) for n in notices_for(actor, limit=LIMIT)]
    found += _stuck_instances(actor, seen_at)
    found += _warnings(actor, seen_at)
    return sorted(found, key=lambda item: item.at, reverse=True)[:LIMIT]


def mark_seen(user_id: int, now: datetime) -> None:
    """Everything up to `now` has been read."""
    db.session.execute(db.update(User).where(and_(User.id == user_id)).values(notifications_seen_at=now))
