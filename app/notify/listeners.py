"""Close-out notices (办结告知): when a dispute's process closes its case, the applicants get an SMS.

A process listener (registered with app.workflow.sync) like the channels' callbacks: it reads
the notifier from the app and reads the case only when the step concluded it.
"""

from typing import Any

from flask import current_app
from sqlalchemy import select

from app.cases.models import Case
from app.clock import Clock
from app.extensions import db
from app.notify.services import Message
from app.vocab import CaseStatus
from app.workflow.models import ProcessInstance

DISPUTE_PROCESS = "dispute"
CLOSING = (CaseStatus.CLOSED, CaseStatus.UNRESOLVED, CaseStatus.REFERRED)


def on_instance_synced(instance: ProcessInstance, data: dict[str, Any], clock: Clock) -> None:
    """Tell each applicant with a phone that their case is closed (once per case and phone)."""
    if instance.process_id != DISPUTE_PROCESS or data.get("case_status") not in CLOSING:
        return
    case = db.session.scalar(select(Case).where(Case.code == instance.business_key))
    if case is None or case.closed_at is None:
        return
    notifier = current_app.extensions["onedoor.notifier"]
    for party in case.parties:
        if party.role != "applicant" or not party.phone or not party.phone.startswith("1"):
            continue
        notifier.send(Message(
            kind="case_closed", recipient=party.phone, key=f"case_closed:{case.code}:{party.id}",
            case_id=case.id,
            text=f"【一扇门】您反映的「{case.title}」已办结（{case.status.label}）。"
                 f"凭案件编码 {case.code} 和手机号后四位可在网上查看结果并评价。"), clock.now())
