"""Deployments, process instances, their open human tasks and message subscriptions."""

import enum
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.cases.models import RiskTier
from app.extensions import Model
from app.org.models import Role, _enum
from app.vocab import TaskState as TaskState  # re-exported: the vocabulary lives in app/vocab.py


class Deployment(Model):
    """One process's BPMN, DMN and form files, frozen together and content-hashed."""

    __tablename__ = "deployment"
    __table_args__ = (UniqueConstraint("process_id", "version", name="uq_deployment_process_version"),
                      Index("ix_deployment_process_hash", "process_id", "content_hash"))

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(128))
    version: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    note: Mapped[str] = mapped_column(String(500), default="")

    files: Mapped[list["DeploymentFile"]] = relationship(
        back_populates="deployment", order_by="DeploymentFile.name")


class FileKind(enum.Enum):
    """What a deployment file holds."""

    BPMN = "bpmn"
    DMN = "dmn"
    FORM = "form"


class DeploymentFile(Model):
    """One file of a deployment, stored whole so the instance keeps its forms."""

    __tablename__ = "deployment_file"
    __table_args__ = (UniqueConstraint("deployment_id", "name", name="uq_deployment_file_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployment.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[FileKind] = mapped_column(_enum(FileKind, "file_kind"))
    content: Mapped[str] = mapped_column(Text)

    deployment: Mapped[Deployment] = relationship(back_populates="files")


class InstanceStatus(enum.Enum):
    """Lifecycle of a process instance."""

    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class ProcessInstance(Model):
    """A running or finished process. `version` guards against lost updates."""

    __tablename__ = "process_instance"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployment.id"), index=True)
    process_id: Mapped[str] = mapped_column(String(128))
    business_key: Mapped[str] = mapped_column(String(64), index=True)
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    status: Mapped[InstanceStatus] = mapped_column(
        _enum(InstanceStatus, "instance_status"), index=True)
    state: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)
    next_timer_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    deployment: Mapped[Deployment] = relationship()

    __mapper_args__ = {"version_id_col": version}


class HumanTask(Model):
    """One row per user task, reconciled from the engine after every step.

    Inboxes are plain indexed queries over this table; no workflow is loaded to list tasks.
    """

    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_human_task_dept_inbox", "candidate_department_id", "state", "due_at"),
        Index("ix_human_task_unit_inbox", "candidate_org_unit_id", "candidate_role", "state",
              "due_at"),
        Index("ix_human_task_assignee", "assignee_id", "state"),
        Index("ix_human_task_instance", "instance_id", "state"),
        Index("ix_human_task_due", "state", "due_at"),
        Index("ix_human_task_warn", "state", "warn_at"),
        Index("ix_human_task_done", "completed_by_id", "completed_at"),
        # Over the case facts below: the overdue list scopes by the case's unit, and the 已办 tab
        # counts a user's whole history (tens of thousands of rows for a busy mediator) — with the
        # filters in the index that count reads no table rows.
        Index("ix_human_task_business_key", "business_key"),
        Index("ix_human_task_due_case_unit", "state", "due_at", "case_org_unit_id"),
        Index("ix_human_task_done_facts", "completed_by_id", "case_category", "case_risk_tier",
              "case_channel", "case_level"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id"))
    process_id: Mapped[str] = mapped_column(String(128))
    business_key: Mapped[str] = mapped_column(String(64))
    bpmn_id: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(String(255))
    lane: Mapped[str | None] = mapped_column(String(64))
    candidate_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    candidate_org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    candidate_role: Mapped[Role | None] = mapped_column(_enum(Role, "member_role"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    claimed_at: Mapped[datetime | None]
    state: Mapped[TaskState] = mapped_column(_enum(TaskState, "task_state"))
    created_at: Mapped[datetime]
    due_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    form_key: Mapped[str | None] = mapped_column(String(255))
    warn_at: Mapped[datetime | None]
    draft: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Set when the row was closed because a timer boundary event on the task fired (escalated
    # by timeout): the overdue facts (app/supervision/overdue_facts.py) tell it from a withdrawal.
    timed_out: Mapped[bool] = mapped_column(default=False, server_default=false())

    # Copies of the facts of the case whose code is the business key (NULL for instances without
    # a case), so the inbox filters and the overdue list select and count over human_task alone.
    # Written by `set_case_facts`, called by the services that create tasks or change the facts
    # (app.workflow.sync, app.cases.taskfacts).
    case_org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    case_category: Mapped[str | None] = mapped_column(String(32))
    case_risk_tier: Mapped[RiskTier | None] = mapped_column(_enum(RiskTier, "risk_tier"))
    case_channel: Mapped[str | None] = mapped_column(String(32))
    case_level: Mapped[str | None] = mapped_column(String(64))

    instance: Mapped[ProcessInstance] = relationship()

    def set_due(self, due_at: datetime | None, policy: "WarnPolicy | None" = None) -> None:
        """Set the deadline and the yellow-warning moment with it: `policy(process_id, bpmn_id)`'s
        share (default `WARNING_SHARE`) of the way from creation to the due time.

        Stored so that the "due soon" inbox tab is an indexed comparison on every database. The
        one writer of `due_at` and `warn_at` (task creation, reopening, migration, extension).
        """
        self.due_at = due_at
        if due_at is None or self.created_at is None:
            self.warn_at = None
            return
        share = policy(self.process_id, self.bpmn_id) if policy is not None else WARNING_SHARE
        self.warn_at = self.created_at + (due_at - self.created_at) * share

    def set_case_facts(self, facts: Mapping[str, Any] | None) -> None:
        """Copy the case facts (`CASE_FACTS` keys; None: no case) onto the row."""
        for column in CASE_FACTS:
            setattr(self, column, facts.get(column) if facts else None)

    def case_facts(self) -> dict[str, Any]:
        """The case facts this row carries, as `set_case_facts` takes them."""
        return {column: getattr(self, column) for column in CASE_FACTS}


WARNING_SHARE = 2 / 3
# (process id, task id) -> the share of a task's period after which it is "due soon".
WarnPolicy = Callable[[str, str], float]
# The case-fact columns of human_task (see `HumanTask.set_case_facts`).
CASE_FACTS = ("case_org_unit_id", "case_category", "case_risk_tier", "case_channel", "case_level")


class MessageSubscription(Model):
    """An instance waiting for a message, correlated by its business key (the case code)."""

    __tablename__ = "message_subscription"
    __table_args__ = (
        UniqueConstraint("instance_id", "message_name", name="uq_message_subscription_instance_message"),
        Index("ix_message_subscription_lookup", "message_name", "correlation_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id"))
    message_name: Mapped[str] = mapped_column(String(128))
    correlation_key: Mapped[str] = mapped_column(String(64))


class Problem(enum.Enum):
    """What the consistency check (`flask doctor`) can find wrong with an instance."""

    STUCK = "stuck"                          # running, yet nothing can ever move it on
    TASKS_DIFFER = "tasks_differ"            # task rows disagree with the engine's ready tasks
    TIMER_DIFFERS = "timer_differs"          # next_timer_at disagrees with the armed timers
    MESSAGES_DIFFER = "messages_differ"      # subscriptions disagree with the awaited messages
    FINISHED_UNMARKED = "finished_unmarked"  # the process ended, the row still says running
    OPEN_TASK_CLOSED = "open_task_closed"    # an open task row of an instance no longer running
    UNREADABLE = "unreadable"                # the stored state cannot be loaded


class InstanceFinding(Model):
    """A problem the doctor found on an instance; kept (and shown) until a later check clears it."""

    __tablename__ = "instance_finding"

    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id"), primary_key=True)
    problem: Mapped[Problem] = mapped_column(_enum(Problem, "finding_problem"), primary_key=True)
    detail: Mapped[str] = mapped_column(String(500))
    business_key: Mapped[str] = mapped_column(String(64))
    process_id: Mapped[str] = mapped_column(String(128))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    found_at: Mapped[datetime] = mapped_column(index=True)
    seen_at: Mapped[datetime]
