"""Generate a case's documents; each generation is audited."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import segno
from flask import render_template
from sqlalchemy import select

from app.audit.services import record
from app.cases import history
from app.cases.models import Case
from app.cases.routemap import department_name, route_map
from app.documents.render import FONT_FAMILY, pdf_from_html
from app.errors import NotFound
from app.extensions import db
from app.inbox.formview import plain
from app.org.models import OrgUnit
from app.org.services import Actor
from app.supervision.models import SupervisionOrder

DOCUMENTS = history.DOCUMENT_NAMES


@dataclass
class Document:
    """A generated PDF and the name it downloads as."""

    filename: str
    content: bytes


def _receipt(case: Case, url: str) -> dict[str, Any]:
    qr = segno.make(url, error="m").svg_inline(scale=3, title=f"案件 {case.code}")
    return {"qr": qr, "url": url}


def _agreement(case: Case) -> dict[str, Any]:
    if not case.agreement:
        raise NotFound("本案尚无调解协议")
    return {"agreement": case.agreement}


def _supervision(case: Case) -> dict[str, Any]:
    order = db.session.scalar(select(SupervisionOrder).where(
        SupervisionOrder.business_key == case.code).order_by(SupervisionOrder.id.desc()).limit(1))
    if order is None or not (order.details or {}).get("supervision_requirement"):
        raise NotFound("本案尚无已签发的督办单")
    steps = history.completed_steps(case.code, masked=False, bpmn_ids=["issue_order"],
                                    instance_id=order.instance_id)
    return {"order": order, "issue": steps[-1] if steps else None}


def _case_file(case: Case, now: datetime) -> dict[str, Any]:
    return {"items": history.case_file(case, masked=False), "route": route_map(case, now),
            "plain": plain}


def generate(case: Case, kind: str, *, actor: Actor, now: datetime, case_url: str) -> Document:
    """Render one document of the case to PDF and audit that it was generated."""
    if kind not in DOCUMENTS:
        raise NotFound("没有这种文书")
    extra = {"receipt": lambda: _receipt(case, case_url), "agreement": lambda: _agreement(case),
             "supervision": lambda: _supervision(case),
             "case_file": lambda: _case_file(case, now)}[kind]()
    html = render_template(f"documents/{kind}.html", case=case, title=DOCUMENTS[kind],
                           font=FONT_FAMILY, now=now,
                           location=db.session.get(OrgUnit, case.org_unit_id),
                           department=department_name(case.handling_department), **extra)
    content = pdf_from_html(html)
    record(now, "case.document_generated", actor_id=actor.user_id, actor_label=actor.label,
           instance_id=case.instance_id, summary={"code": case.code, "document": kind})
    db.session.flush()
    return Document(f"{case.code}-{DOCUMENTS[kind]}.pdf", content)
