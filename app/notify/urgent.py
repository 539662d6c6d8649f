"""Urgent-task notices (紧急任务提醒): an SMS to each handler of a task that became urgent.

A task is urgent when the deadline sweep (app/supervision/notices.py) writes a deadline notice
for it: it reached its warning time (黄灯预警), it is overdue and chased (催办), or it was
escalated to a supervision order (督办). The handlers are the assignee when the task is claimed,
else every active candidate (app/workflow/assignment.candidates). Users without a phone get no
SMS. Each message's key is per task, handler and kind, so a handler hears about each stage of a
task at most once whatever the sweep does (the notification table's unique ref).
"""

from datetime import datetime

from flask import current_app

from app.extensions import db
from app.notify.services import Message, Notifier
from app.org.models import User
from app.workflow.assignment import candidates
from app.workflow.models import HumanTask

REASONS = {"warning": "即将到期", "chase": "已超期，请尽快办理", "supervision": "已超期并转入督办"}


def handlers(task: HumanTask) -> list[User]:
    """Who works the task now: its assignee, or its candidates while unclaimed."""
    if task.assignee_id is not None:
        user = db.session.get(User, task.assignee_id)
        return [user] if user is not None and user.active else []
    return candidates(task)


def notify_urgent(task: HumanTask, kind: str, now: datetime, notifier: Notifier | None = None) -> int:
    """Send the urgent notice for `kind` (a deadline notice kind) to each handler with a phone.

    Returns how many messages were written (0 when none of the handlers has a phone)."""
    notifier = notifier or current_app.extensions.get("onedoor.notifier")
    if notifier is None:
        return 0
    due = f"，期限 {task.due_at:%m月%d日 %H:%M}" if task.due_at else ""
    sent = 0
    for user in handlers(task):
        if not user.phone:
            continue
        notifier.send(Message(
            kind="urgent_task", recipient=user.phone, key=f"urgent_task:{kind}:{task.id}:{user.id}",
            text=f"【一扇门】{user.display_name}，案件 {task.business_key} 的待办「{task.title}」"
                 f"{REASONS.get(kind, '需要尽快办理')}{due}。请登录一扇门处理。"), now)
        sent += 1
    return sent
