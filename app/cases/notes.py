"""Comments and attachments on a case (案件留言与附件)."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from app.extensions import Model


class Comment(Model):
    """A note someone handling the case left on it."""

    __tablename__ = "case_comment"
    __table_args__ = (Index("ix_case_comment_case", "case_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("dispute_case.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    author_label: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class Attachment(Model):
    """A file attached to a case, stored in the database (size-limited and type-checked)."""

    __tablename__ = "case_attachment"
    __table_args__ = (Index("ix_case_attachment_case", "case_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("dispute_case.id"))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    uploaded_by_label: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    created_at: Mapped[datetime]
