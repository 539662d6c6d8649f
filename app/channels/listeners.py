"""Process listeners of the channels (registered with app.workflow.sync).

They are the boundary between the engine's steps and the channel services, like views are for
requests: they read the channel settings from the app and pass them on as plain values.
"""

from typing import Any

from flask import current_app
from sqlalchemy import select

from app.cases.models import Case
from app.channels.hotline.services import PROCESS as HOTLINE_PROCESS
from app.channels.hotline.services import dispute_concluded, order_synced
from app.channels.referrals.services import referral_concluded
from app.clock import Clock
from app.extensions import db
from app.vocab import CALLBACK_CHANNELS, CaseStatus, Channel
from app.workflow.models import ProcessInstance

DISPUTE_PROCESS = "dispute"
CONCLUDED = (CaseStatus.RESOLVED, CaseStatus.UNRESOLVED, CaseStatus.REFERRED)


def on_instance_synced(instance: ProcessInstance, data: dict[str, Any], clock: Clock) -> None:
    """Hotline orders follow their process; concluded disputes report back to their channel."""
    config = current_app.config
    if instance.process_id == HOTLINE_PROCESS:
        order_synced(instance.business_key, data, clock=clock,
                     callback_url=config["HOTLINE_CALLBACK_URL"],
                     duplicate_window_days=config["DUPLICATE_WINDOW_DAYS"])
        return
    status = data.get("case_status")
    if instance.process_id != DISPUTE_PROCESS or status not in CONCLUDED:
        return
    if data.get("channel") not in (None, *CALLBACK_CHANNELS):
        return  # walk-ins and grid reports have nobody to report back to: no need to read the case
    case = db.session.scalar(select(Case).where(Case.code == instance.business_key))
    if case is None or case.channel not in CALLBACK_CHANNELS:
        return
    if case.channel == Channel.HOTLINE_12345:
        dispute_concluded(case, data.get("result"), status, clock=clock)
    else:
        referral_concluded(case, data.get("result"), status, clock=clock,
                           callback_url=config["REFERRAL_CALLBACK_URL"])
