"""Comments and attachments: services (flush only) with size and type checks."""

import hashlib
from datetime import datetime

from sqlalchemy import select

from app.audit.services import record
from app.cases.models import Case
from app.cases.notes import Attachment, Comment
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.org.services import Actor

MAX_COMMENT = 2000
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# extension → (content type, leading bytes the file must start with)
ALLOWED = {
    "pdf": ("application/pdf", b"%PDF-"),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    "jpg": ("image/jpeg", b"\xff\xd8\xff"),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04"),
}


def add_comment(case: Case, body: str, *, actor: Actor, now: datetime) -> Comment:
    """Leave a note on the case."""
    text = (body or "").strip()
    if not text:
        raise ValidationFailed("请填写留言内容", {"body": ["请填写留言内容"]})
    if len(text) > MAX_COMMENT:
        raise ValidationFailed("留言过长", {"body": [f"留言最多 {MAX_COMMENT} 个字"]})
    comment = Comment(case_id=case.id, author_id=actor.user_id, author_label=actor.label, body=text,
                      created_at=now)
    db.session.add(comment)
    record(now, "case.commented", actor_id=actor.user_id, actor_label=actor.label,
           instance_id=case.instance_id, summary={"code": case.code})
    db.session.flush()
    return comment


def _checked_type(filename: str, data: bytes) -> str:
    """The content type for an allowed file whose bytes match its extension, else an error."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    allowed = ALLOWED.get(extension)
    if allowed is None:
        raise ValidationFailed("不支持的文件类型", {"file": ["仅支持 PDF、PNG、JPG、DOCX、XLSX 文件"]})
    content_type, magic = allowed
    if not data.startswith(magic):
        raise ValidationFailed("文件内容与扩展名不符", {"file": ["文件内容与扩展名不符，请检查后重新上传"]})
    return content_type


def add_attachment(case: Case, filename: str, data: bytes, *, actor: Actor,
                   now: datetime) -> Attachment:
    """Store a file on the case after checking its size and its real type."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:255]
    if not name or not data:
        raise ValidationFailed("请选择要上传的文件", {"file": ["请选择要上传的文件"]})
    if len(data) > MAX_ATTACHMENT_BYTES:
        limit = MAX_ATTACHMENT_BYTES // 1024 // 1024
        raise ValidationFailed("文件过大", {"file": [f"单个文件不能超过 {limit} MB"]})
    attachment = Attachment(case_id=case.id, uploaded_by_id=actor.user_id,
                            uploaded_by_label=actor.label, filename=name,
                            content_type=_checked_type(name, data), size=len(data),
                            sha256=hashlib.sha256(data).hexdigest(), data=data, created_at=now)
    db.session.add(attachment)
    record(now, "case.attachment_added", actor_id=actor.user_id, actor_label=actor.label,
           instance_id=case.instance_id, summary={"code": case.code, "file": name, "size": len(data)})
    db.session.flush()
    return attachment


def comments_of(case: Case) -> list[Comment]:
    """The case's comments, oldest first."""
    return list(db.session.scalars(select(Comment).where(Comment.case_id == case.id)
                                   .order_by(Comment.created_at, Comment.id)))


def attachments_of(case: Case) -> list[Attachment]:
    """The case's attachments (without their bytes), oldest first."""
    return list(db.session.scalars(select(Attachment).where(Attachment.case_id == case.id)
                                   .order_by(Attachment.created_at, Attachment.id)))


def attachment(case: Case, attachment_id: int) -> Attachment:
    """One attachment of the case, bytes included."""
    found = db.session.get(Attachment, attachment_id)
    if found is None or found.case_id != case.id:
        raise NotFound("附件不存在")
    return found
