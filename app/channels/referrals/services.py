"""Referrals (三调对接): police incidents (警情 → 警调), petitions (信访), court pre-suit mediation
(诉前调解) come in with their source reference; the case's result goes back to the source."""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from app.cases.models import Case
from app.channels.outbox.services import enqueue
from app.channels.referrals.models import Referral
from app.channels.scope import Scope
from app.clock import Clock
from app.extensions import db

KINDS = ("police", "petition", "court")


def receive_referral(values: Mapping[str, Any], *, scope: Scope, clock: Clock,
                     duplicate_window_days: int) -> tuple[Referral, bool]:
    """The existing referral for a replayed source reference (False), else a new case (True).

    The channel is the referral kind, so routing.dmn sends it to the referral process with
    the right deadlines (petitions: 15 days to accept, 60 to handle).
    """
    from app.channels.intake import receive_case  # noqa: PLC0415 - avoids an import cycle

    existing = db.session.scalar(select(Referral).where(Referral.kind == values["kind"],
                                                        Referral.source_ref == values["source_ref"]))
    if existing is not None:
        return existing, False
    intake = {**values, "channel": values["kind"], "external_ref": values["source_ref"]}
    case = receive_case(intake, values["org_unit"], scope=scope, clock=clock,
                        duplicate_window_days=duplicate_window_days)
    referral = Referral(kind=values["kind"], source_ref=values["source_ref"],
                        source_system=values["source_system"], case_id=case.id,
                        received_at=clock.now())
    db.session.add(referral)
    db.session.flush()
    return referral, True


def referral_concluded(case: Case, result: str | None, status: str, *, clock: Clock,
                       callback_url: str) -> None:
    """Owe the source system the case's result (once)."""
    referral = db.session.scalar(select(Referral).where(Referral.case_id == case.id))
    if referral is None or referral.result_sent_at is not None:
        return
    now = clock.now()
    referral.result_sent_at = now
    enqueue(target=f"referral_{referral.kind}", url=callback_url, event="result",
            ref=referral.source_ref, key=f"{referral.kind}:{referral.source_ref}:result",
            payload={"kind": referral.kind, "source_ref": referral.source_ref,
                     "source_system": referral.source_system, "case_code": case.code,
                     "case_status": status, "result": result, "occurred_at": now.isoformat()},
            now=now, case_id=case.id)


def describe(referral: Referral) -> dict[str, Any]:
    """A referral as the API shows it."""
    return {"id": referral.id, "kind": referral.kind, "source_ref": referral.source_ref,
            "case_code": db.session.get(Case, referral.case_id).code,
            "received_at": referral.received_at}
