"""12345 work orders (工单) received from the hotline platform."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model


class HotlineOrder(Model):
    """One dispatch of a 12345 order to OneDoor; a re-dispatch after an objection is a new row.

    `(order_id, dispatch_no)` is the idempotency key of the inbound endpoint.
    """

    __tablename__ = "hotline_order"
    __table_args__ = (UniqueConstraint("order_id", "dispatch_no", name="uq_hotline_order_dispatch"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[str] = mapped_column(String(64), index=True)
    dispatch_no: Mapped[int] = mapped_column(default=1)
    business_key: Mapped[str] = mapped_column(String(64), unique=True)
    order_type: Mapped[str] = mapped_column(String(16))
    urgent: Mapped[bool] = mapped_column(default=False)
    is_dispute: Mapped[bool] = mapped_column(default=False)
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(32))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    department_code: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("dispute_case.id"), index=True)
    instance_id: Mapped[str | None] = mapped_column(ForeignKey("process_instance.id"))
    intake: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    dispute_result: Mapped[str | None] = mapped_column(String(16))
    satisfaction: Mapped[str | None] = mapped_column(String(32))
    received_at: Mapped[datetime]
    updated_at: Mapped[datetime]
