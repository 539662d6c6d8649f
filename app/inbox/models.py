"""延期申请: a task holder's request for more time, and the approver's decision."""

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model


class ExtensionState(enum.Enum):
    """Pending until a coordinator grants or refuses it."""

    PENDING = "pending"
    GRANTED = "granted"
    REFUSED = "refused"


class TaskExtension(Model):
    """One request to move a task's deadline from `previous_due_at` to `requested_due_at`."""

    __tablename__ = "task_extension"
    __table_args__ = (Index("ix_task_extension_task", "task_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("human_task.id"))
    state: Mapped[ExtensionState] = mapped_column(
        Enum(ExtensionState, name="extension_state", values_callable=lambda e: [m.value for m in e],
             native_enum=False, length=16))
    previous_due_at: Mapped[datetime]
    requested_due_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    requested_at: Mapped[datetime]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(String(500))


class TransferState(enum.Enum):
    """A 转办 that needs approval waits until the coordinator approves or refuses it."""

    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


PENDING_ONLY = text("state = 'pending'")


class TaskTransfer(Model):
    """One request to hand a task to `to_department_id`, where its process asks for the center
    coordinator's approval first (`transferApproval`); the task stays put until it is approved."""

    __tablename__ = "task_transfer"
    __table_args__ = (
        Index("ix_task_transfer_task", "task_id", "state"),
        # At most one request waits per task: a second one, even at the same instant, is refused.
        Index("uq_task_transfer_pending", "task_id", unique=True,
              postgresql_where=PENDING_ONLY, sqlite_where=PENDING_ONLY),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("human_task.id"))
    state: Mapped[TransferState] = mapped_column(
        Enum(TransferState, name="transfer_state", values_callable=lambda e: [m.value for m in e],
             native_enum=False, length=16))
    from_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    to_department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    reason: Mapped[str] = mapped_column(Text)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    requested_at: Mapped[datetime]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(String(500))
