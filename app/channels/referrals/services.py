"""Referrals (三调对接): police incidents (警情 → 警调), petitions (信访), court pre-suit mediation
(诉前调解) come in with their source reference; the case's result goes back to the source."""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from app.cases.models import Case
from app.channels.idempotency import check_same, create_once
from app.channels.outbox.services import enqueue
from app.channels.referrals.models import Referral
from app.channels.scope import Scope
from app.clock import Clock
from app.extensions import db
from app.org.models import OrgUnit

KINDS = ("police", "petition", "court")


def find_referral(kind: str, source_ref: str) -> Referral | None:
    """The referral received under this kind and source reference."""
    return db.session.scalar(select(Referral).where(Referral.kind == kind,
                                                    Referral.source_ref == source_ref))


def receive_referral(values: Mapping[str, Any], *, scope: Scope, clock: Clock,
                     duplicate_window_days: int) -> tuple[Referral, bool]:
    """The existing referral for a replayed source reference (False), else a new case (True).

    A replay with other content than the referral received is refused (409).
    """
    def find() -> Referral | None:
        return find_referral(values["kind"], values["source_ref"])

    found = find()
    if found is None:
        referral, created = create_once(
            lambda: _new_referral(values, scope, clock, duplicate_window_days), find)
    else:
        referral, created = found, False
    if not created:
        check_same("该转入案件", _content(referral), {name: values.get(name) for name in COMPARED})
    return referral, created


def _new_referral(values: Mapping[str, Any], scope: Scope, clock: Clock,
                  duplicate_window_days: int) -> Referral:
    """Open the case and insert the referral row (flushed: the unique key is claimed here).

    The channel is the referral kind, so routing.dmn sends it to the referral process with
    the right deadlines (petitions: 15 days to accept, 60 to handle).
    """
    from app.channels.intake import receive_case  # noqa: PLC0415 - avoids an import cycle

    intake = {**values, "channel": values["kind"], "external_ref": values["source_ref"]}
    case = receive_case(intake, values["org_unit"], scope=scope, clock=clock,
                        duplicate_window_days=duplicate_window_days)
    referral = Referral(kind=values["kind"], source_ref=values["source_ref"],
                        source_system=values["source_system"], case_id=case.id,
                        received_at=clock.now())
    db.session.add(referral)
    db.session.flush()
    return referral


COMPARED = ("source_system", "org_unit", "title", "narrative", "category")


def _content(referral: Referral) -> dict[str, Any]:
    case = db.session.get_one(Case, referral.case_id)
    unit = db.session.get_one(OrgUnit, case.org_unit_id)
    return {"source_system": referral.source_system, "org_unit": unit.code, "title": case.title,
            "narrative": case.narrative, "category": case.category}


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
            "case_code": db.session.get_one(Case, referral.case_id).code,
            "received_at": referral.received_at}
