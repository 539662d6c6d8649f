"""Overdue is a fact of the task, whatever ended it — the one definition.

A task with a deadline (`human_task.due_at`) is overdue (逾期) as of a moment `t` when its
deadline is before `t` and it was not completed by its deadline: still open (未办结), completed
late (逾期后办结), escalated by its timer boundary event (超时上交, `timed_out`, written when the
sync closes the row), or cancelled past its deadline (逾期后撤销). A task withdrawn before its
deadline is neither on time nor overdue.

A task is settled on time (按期办结) when it was completed by its deadline: counted at its
completion. An overdue task is counted at its deadline. So over a period [start, until):
按期办结率 = on time ÷ (on time + overdue). The overdue list, the department league table, every
report and the API use these expressions; nobody loads a workflow to decide.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, or_

from app.workflow.models import HumanTask, TaskState

OPEN, LATE, TIMED_OUT, WITHDRAWN_LATE = "open", "late", "timed_out", "withdrawn_late"
ON_TIME, WITHDRAWN = "on_time", "withdrawn"
OUTCOME_LABELS = {OPEN: "未办结", LATE: "逾期后办结", TIMED_OUT: "超时上交", WITHDRAWN_LATE: "逾期后撤销",
                  ON_TIME: "按期办结", WITHDRAWN: "撤销"}
OVERDUE_OUTCOMES = (OPEN, LATE, TIMED_OUT, WITHDRAWN_LATE)

_CLOSED_LATE = HumanTask.completed_at > HumanTask.due_at


def not_done_by_deadline() -> ColumnElement[bool]:
    """The task did not finish by its deadline (open, late, timed out or cancelled past it)."""
    return or_(HumanTask.completed_at.is_(None), _CLOSED_LATE, HumanTask.timed_out.is_(True))


def closed_late() -> ColumnElement[bool]:
    """A closed task not done by its deadline (the predicate of ix_human_task_overdue_closed)."""
    return and_(HumanTask.state.in_((TaskState.COMPLETED, TaskState.CANCELLED)),
                HumanTask.due_at.is_not(None), or_(_CLOSED_LATE, HumanTask.timed_out.is_(True)))


def overdue_between(start: datetime | None, until: datetime) -> ColumnElement[bool]:
    """Tasks whose deadline fell in [start, until) and that were not done by it: overdue as of `until`.

    Two branches on purpose: open tasks by (state, due_at, case unit), closed late ones by the
    partial index on the closed-late predicate, so neither walks the tasks done on time.
    """
    window = [HumanTask.due_at < until] if start is None else [HumanTask.due_at >= start,
                                                                HumanTask.due_at < until]
    return or_(and_(HumanTask.state == TaskState.READY, *window), and_(closed_late(), *window))


def on_time_between(start: datetime, until: datetime) -> ColumnElement[bool]:
    """Tasks completed by their deadline, completed in [start, until)."""
    return and_(HumanTask.state == TaskState.COMPLETED, HumanTask.due_at.is_not(None),
                HumanTask.completed_at <= HumanTask.due_at, HumanTask.timed_out.is_(False),
                HumanTask.completed_at >= start, HumanTask.completed_at < until)


def outcome_is(outcome: str) -> ColumnElement[bool]:
    """Overdue tasks with one outcome (`OVERDUE_OUTCOMES`); the deadline window is added by the caller."""
    conditions = {
        OPEN: HumanTask.state == TaskState.READY,
        LATE: and_(HumanTask.state == TaskState.COMPLETED, _CLOSED_LATE),
        TIMED_OUT: and_(HumanTask.state == TaskState.CANCELLED, HumanTask.timed_out.is_(True)),
        WITHDRAWN_LATE: and_(HumanTask.state == TaskState.CANCELLED, HumanTask.timed_out.is_(False),
                             _CLOSED_LATE),
    }
    return conditions[outcome]


def outcome_column() -> ColumnElement[str]:
    """SQL for the outcome of a task (one of OUTCOME_LABELS' keys)."""
    return case((HumanTask.state == TaskState.READY, OPEN),
                (HumanTask.timed_out.is_(True), TIMED_OUT),
                (and_(HumanTask.state == TaskState.COMPLETED, or_(HumanTask.due_at.is_(None),
                                                                   ~_CLOSED_LATE)), ON_TIME),
                (HumanTask.state == TaskState.COMPLETED, LATE),
                (and_(HumanTask.due_at.is_not(None), _CLOSED_LATE), WITHDRAWN_LATE),
                else_=WITHDRAWN)


def outcome_of(task: HumanTask) -> str:
    """The outcome of a loaded task row, the same rule as `outcome_column`."""
    late = task.due_at is not None and task.completed_at is not None and task.completed_at > task.due_at
    if task.state == TaskState.READY:
        return OPEN
    if task.timed_out:
        return TIMED_OUT
    if task.state == TaskState.COMPLETED:
        return LATE if late else ON_TIME
    return WITHDRAWN_LATE if late else WITHDRAWN


def outcome_label(task: HumanTask) -> str:
    """结果 of a task in Chinese (未办结, 逾期后办结, 超时上交, 逾期后撤销, 按期办结, 撤销)."""
    return OUTCOME_LABELS[outcome_of(task)]
