"""Deadline policies, deadline notices (预警 / 催办 / 督办) and supervision orders (督办单)."""

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.org.models import Role, _enum
from app.supervision.overdue_facts import closed_late
from app.workflow.models import HumanTask

ANY = "*"
# Closed-late tasks are a small share of all closed ones: a partial index keeps 逾期台账 (全部逾期)
# and the reports' overdue counts off the tasks done on time.
Index("ix_human_task_overdue_closed", HumanTask.__table__.c.due_at, HumanTask.__table__.c.case_org_unit_id,
      postgresql_where=closed_late(), sqlite_where=closed_late())


class DeadlinePolicy(Model):
    """Thresholds of one kind of task, matched by process id and task id (`*` for any).

    The most specific row wins: (process, task) over (process, *) over (*, task) over
    (*, *); with no row the code defaults in `app.supervision.policies` apply. A NULL
    threshold means "never" (no chase, or no supervision order).
    """

    __tablename__ = "deadline_policy"
    __table_args__ = (UniqueConstraint("process_id", "bpmn_id", name="uq_deadline_policy_process_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(128), default=ANY)
    bpmn_id: Mapped[str] = mapped_column(String(128), default=ANY)
    warn_share: Mapped[Decimal] = mapped_column(Numeric(4, 3))
    chase_after_working_days: Mapped[int | None]
    supervise_after_working_days: Mapped[int | None]
    description: Mapped[str] = mapped_column(String(255), default="")


class NoticeKind(enum.Enum):
    """What a deadline notice says."""

    WARNING = "warning"          # 即将超期预警
    CHASE = "chase"              # 催办
    SUPERVISION = "supervision"  # 督办（已生成督办单）


NOTICE_LABELS = {NoticeKind.WARNING: "即将超期", NoticeKind.CHASE: "催办",
                 NoticeKind.SUPERVISION: "督办"}


class DeadlineNotice(Model):
    """One notice per task and kind, written by the deadline sweep (unique: safe to run twice).

    The task's candidates and the case location are copied in so that "notices for me"
    is an indexed query without joins.
    """

    __tablename__ = "deadline_notice"
    __table_args__ = (
        UniqueConstraint("task_id", "kind", name="uq_deadline_notice_task_id"),
        Index("ix_deadline_notice_dept", "candidate_department_id", "created_at"),
        Index("ix_deadline_notice_unit", "candidate_org_unit_id", "candidate_role", "created_at"),
        Index("ix_deadline_notice_assignee", "assignee_id", "created_at"),
        Index("ix_deadline_notice_kind_unit", "kind", "org_unit_id", "created_at"),
        Index("ix_deadline_notice_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("human_task.id"))
    kind: Mapped[NoticeKind] = mapped_column(_enum(NoticeKind, "notice_kind"))
    created_at: Mapped[datetime]
    business_key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(255))
    due_at: Mapped[datetime]
    overdue_working_days: Mapped[int] = mapped_column(default=0)
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    candidate_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    candidate_org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    candidate_role: Mapped[Role | None] = mapped_column(_enum(Role, "member_role"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # The requirement a supervisor wrote when starting the 催办 / 督办 by hand (the sweep writes none).
    note: Mapped[str | None] = mapped_column(Text)


class OrderStatus(enum.Enum):
    """Where a supervision order stands (mirrored from its process after every step)."""

    ISSUING = "issuing"        # 待签发
    EXPLAINING = "explaining"  # 待逾期说明
    REVIEWING = "reviewing"    # 待审核
    CLOSED = "closed"          # 已办结
    FAILED = "failed"          # 未能发起（见 error）


ORDER_STATUS_LABELS = {OrderStatus.ISSUING: "待签发", OrderStatus.EXPLAINING: "待部门逾期说明",
                       OrderStatus.REVIEWING: "待督办审核", OrderStatus.CLOSED: "已办结",
                       OrderStatus.FAILED: "未能发起"}


class SupervisionOrder(Model):
    """督办单: one per overdue task, itself a `supervision_order` process instance."""

    __tablename__ = "supervision_order"
    __table_args__ = (
        UniqueConstraint("task_id", name="uq_supervision_order_task_id"),
        Index("ix_supervision_order_unit", "org_unit_id", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("human_task.id"))
    instance_id: Mapped[str | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    business_key: Mapped[str] = mapped_column(String(64), index=True)
    task_title: Mapped[str] = mapped_column(String(255))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    due_at: Mapped[datetime]
    overdue_working_days: Mapped[int]
    status: Mapped[OrderStatus] = mapped_column(_enum(OrderStatus, "order_status"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
