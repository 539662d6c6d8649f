"""Drafts edited in the browser and the record of every instance migration (for rollback)."""

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.org.models import _enum


class ProcessDraft(Model):
    """A bundle being edited: every file of a process, saved but not deployed.

    `files` maps file name → text; the kind follows from the extension (.bpmn, .dmn, .json).
    """

    __tablename__ = "process_draft"
    __table_args__ = (Index("ix_process_draft_process", "process_id", "updated_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(128))
    base_deployment_id: Mapped[int | None] = mapped_column(ForeignKey("deployment.id"))
    files: Mapped[dict] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    deployment_id: Mapped[int | None] = mapped_column(ForeignKey("deployment.id"))


class MigrationState(enum.Enum):
    """Where a migrated instance stands."""

    MIGRATED = "migrated"
    ROLLED_BACK = "rolled_back"


class InstanceMigration(Model):
    """One instance moved from one deployment to another, with what is needed to undo it.

    `old_state` is the workflow JSON before the move; a rollback restores it exactly, and
    is refused once the instance has moved on (its version differs from `new_version`).
    """

    __tablename__ = "instance_migration"
    __table_args__ = (Index("ix_instance_migration_instance", "instance_id", "migrated_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch: Mapped[str] = mapped_column(String(36), index=True)
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id"))
    from_deployment_id: Mapped[int] = mapped_column(ForeignKey("deployment.id"))
    to_deployment_id: Mapped[int] = mapped_column(ForeignKey("deployment.id"))
    state: Mapped[MigrationState] = mapped_column(_enum(MigrationState, "migration_state"))
    old_state: Mapped[str] = mapped_column(Text)
    old_version: Mapped[int]
    new_version: Mapped[int]
    migrated_at: Mapped[datetime]
    migrated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    rolled_back_at: Mapped[datetime | None]
    rolled_back_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class JobState(enum.Enum):
    """Where a background bulk migration stands."""

    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"


class ItemState(enum.Enum):
    """Where one instance of a bulk migration stands."""

    PENDING = "pending"
    MOVED = "moved"
    REFUSED = "refused"


class MigrationJob(Model):
    """A bulk migration the worker carries out in the background, one instance per
    transaction, until every item is moved or refused; the designer may pause and resume it."""

    __tablename__ = "migration_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch: Mapped[str] = mapped_column(String(36), unique=True)
    process_id: Mapped[str] = mapped_column(String(128))
    target_deployment_id: Mapped[int] = mapped_column(ForeignKey("deployment.id"))
    state: Mapped[JobState] = mapped_column(_enum(JobState, "migration_job_state"), index=True)
    total: Mapped[int]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class MigrationJobItem(Model):
    """One chosen instance of a bulk migration and its outcome (refusal reasons in Chinese)."""

    __tablename__ = "migration_job_item"
    __table_args__ = (Index("ix_migration_job_item_job_state", "job_id", "state", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("migration_job.id"))
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id"))
    business_key: Mapped[str] = mapped_column(String(64))
    from_version: Mapped[int]
    state: Mapped[ItemState] = mapped_column(_enum(ItemState, "migration_item_state"))
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    done_at: Mapped[datetime | None]
