"""The case record (案件): the business view of a dispute, kept in step with its process."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.org.models import _enum
from app.vocab import OPEN_STATUSES
from app.vocab import CaseStatus as CaseStatus  # re-exported: the vocabulary lives in app/vocab.py
from app.vocab import RiskTier as RiskTier


class Case(Model):
    """One dispute, one code (一案一码). `instance_id` is its dispute process instance."""

    __tablename__ = "dispute_case"
    __table_args__ = (Index("ix_dispute_case_status_due", "status", "current_due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    narrative: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(32))
    external_ref: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(32))
    risk_tier: Mapped[RiskTier] = mapped_column(_enum(RiskTier, "risk_tier"))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))  # blank when not given
    people_count: Mapped[int]
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    occurred_on: Mapped[date | None]
    received_at: Mapped[datetime]
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    status: Mapped[CaseStatus] = mapped_column(_enum(CaseStatus, "case_status"), index=True)
    route: Mapped[str | None] = mapped_column(String(32))
    handling_department: Mapped[str | None] = mapped_column(String(64))
    level: Mapped[str | None] = mapped_column(String(64))
    current_due_at: Mapped[datetime | None]
    due_estimated: Mapped[bool] = mapped_column(default=False)
    result: Mapped[str | None] = mapped_column(String(16))
    next_route: Mapped[str | None] = mapped_column(String(32))
    agreement: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    return_visit: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("dispute_case.id"), index=True)
    instance_id: Mapped[str | None] = mapped_column(ForeignKey("process_instance.id"), index=True)
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]

    parties: Mapped[list["Party"]] = relationship(back_populates="case", order_by="Party.id")
    parent: Mapped["Case | None"] = relationship(remote_side=[id])

    # ------------------------------------------------------------------ state transitions
    # The only writers of `status` (tests/cases/test_case_transitions.py greps app/ for others).

    @classmethod
    def received(cls, now: datetime, **fields: Any) -> "Case":
        """A newly registered case (统一受理): in progress from `now`."""
        return cls(status=CaseStatus.IN_PROGRESS, updated_at=now, **fields)

    def follow_process(self, status: str | CaseStatus, now: datetime) -> None:
        """Take the status the dispute process reached (its `case_status`): resolved, closed,
        unresolved, referred or reopened. An unknown value raises ValueError."""
        {CaseStatus.IN_PROGRESS: self.resume, CaseStatus.RESOLVED: self.resolve,
         CaseStatus.CLOSED: self.close, CaseStatus.UNRESOLVED: self.leave_unresolved,
         CaseStatus.REFERRED: self.refer, CaseStatus.REOPENED: self.reopen}[CaseStatus(status)](now)

    def resume(self, now: datetime) -> None:
        """Back in progress (the process's own start value)."""
        self._move(CaseStatus.IN_PROGRESS, now)

    def resolve(self, now: datetime) -> None:
        """化解: agreement reached, waiting for the return visit (回访)."""
        self._move(CaseStatus.RESOLVED, now)

    def close(self, now: datetime, *, result: str | None = None) -> None:
        """销号: the case is done (after the return visit, or merged into another)."""
        self._move(CaseStatus.CLOSED, now)
        if result is not None:
            self.result = result

    def leave_unresolved(self, now: datetime) -> None:
        """未化解: the parties were told their 后续途径."""
        self._move(CaseStatus.UNRESOLVED, now)

    def refer(self, now: datetime) -> None:
        """移交: handed to another body (e.g. labour arbitration)."""
        self._move(CaseStatus.REFERRED, now)

    def reopen(self, now: datetime) -> None:
        """续案: the return visit found new signs and opened a follow-up case."""
        self._move(CaseStatus.REOPENED, now)

    def merge_into(self, original: "Case", now: datetime) -> None:
        """A confirmed duplicate of `original`: closed as merged, with no deadline left."""
        if original.id == self.id:
            raise ValueError("a case cannot be merged into itself")
        self.close(now, result="merged")
        self.current_due_at = None

    def _move(self, status: CaseStatus, now: datetime) -> None:
        self.status = status
        self.updated_at = now
        if status not in OPEN_STATUSES and self.closed_at is None:
            self.closed_at = now


def mask(value: str | None, keep_start: int, keep_end: int) -> str | None:
    """`value` with everything but its first and last characters replaced by '*'."""
    if not value:
        return value
    hidden = len(value) - keep_start - keep_end
    if hidden <= 0:
        return "*" * len(value)
    return value[:keep_start] + "*" * hidden + value[len(value) - keep_end:]


class Party(Model):
    """A party to a case. ID number and phone are personal data: lists show them masked."""

    __tablename__ = "case_party"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("dispute_case.id"), index=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[str] = mapped_column(String(16))
    id_number: Mapped[str | None] = mapped_column(String(18))
    phone: Mapped[str | None] = mapped_column(String(20))

    case: Mapped[Case] = relationship(back_populates="parties")

    @property
    def masked_id_number(self) -> str | None:
        """ID number as lists show it: 620702********1234."""
        return mask(self.id_number, 6, 4)

    @property
    def masked_phone(self) -> str | None:
        """Phone as lists show it: 139****5678."""
        return mask(self.phone, 3, 4)


class CaseSequence(Model):
    """The last number handed out per code prefix and year (one row, bumped with UPDATE … RETURNING)."""

    __tablename__ = "case_sequence"

    prefix: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(default=0)

