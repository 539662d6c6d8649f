"""Likely duplicates (疑似重复): same party, category and grid as an open case within a window.

The 12345 rules require duplicate requests to be merged; a clerk decides: merge (the new
case is closed into the original, its process cancelled) or keep (both go on).
"""

from datetime import datetime, timedelta

from sqlalchemy import or_, select

from app.audit.services import record
from app.cases.models import Case, Party
from app.channels.duplicates.models import CaseDuplicate
from app.clock import Clock
from app.errors import Conflict, NotFound
from app.extensions import db
from app.org.services import Actor
from app.vocab import OPEN_STATUSES, DuplicateDecision, DuplicateStatus
from app.workflow.services import cancel_instance

OPEN = OPEN_STATUSES


def _party_match(case: Case):
    clauses = []
    for party in case.parties:
        if party.id_number:
            clauses.append(Party.id_number == party.id_number)
        if party.phone:
            clauses.append(Party.phone == party.phone)
        if not party.id_number and not party.phone:
            clauses.append(Party.name == party.name)
    return or_(*clauses) if clauses else None


def flag_if_duplicate(case: Case, window_days: int, now: datetime) -> CaseDuplicate | None:
    """Flag `case` when an open case shares a party, its category and its grid within the window."""
    match = _party_match(case)
    if match is None:
        return None
    original = db.session.scalar(
        select(Case).join(Party, Party.case_id == Case.id)
        .where(Case.id != case.id, Case.category == case.category,
               Case.org_unit_id == case.org_unit_id, Case.status.in_(OPEN),
               Case.received_at >= now - timedelta(days=window_days), match)
        .order_by(Case.received_at).limit(1))
    if original is None:
        return None
    flag = CaseDuplicate(case_id=case.id, duplicate_of_id=original.id, status=DuplicateStatus.FLAGGED,
                         reason=f"与 {original.code} 当事人、类别、网格相同，且在 {window_days} 日内",
                         flagged_at=now)
    db.session.add(flag)
    record(now, "case.duplicate_flagged", instance_id=case.instance_id,
           summary={"code": case.code, "duplicate_of": original.code})
    db.session.flush()
    return flag


def flags_for(case_ids: list[int]) -> dict[int, tuple[CaseDuplicate, str]]:
    """Duplicate flags of the cases, with the original's code, keyed by case id."""
    if not case_ids:
        return {}
    rows = db.session.execute(
        select(CaseDuplicate, Case.code).join(Case, Case.id == CaseDuplicate.duplicate_of_id)
        .where(CaseDuplicate.case_id.in_(case_ids))).all()
    return {flag.case_id: (flag, code) for flag, code in rows}


def decide(code: str, decision: str, *, actor: Actor | None, clock: Clock) -> CaseDuplicate:
    """Merge the flagged case into its original, or keep it as a case of its own."""
    case = db.session.scalar(select(Case).where(Case.code == code))
    flag = db.session.scalar(select(CaseDuplicate).where(CaseDuplicate.case_id == case.id)) \
        if case else None
    if case is None or flag is None:
        raise NotFound(f"案件 {code} 没有疑似重复标记")
    if flag.status != DuplicateStatus.FLAGGED:
        raise Conflict("该疑似重复已处理")
    now = clock.now()
    flag.status = DuplicateStatus.MERGED if decision == DuplicateDecision.MERGE else DuplicateStatus.KEPT
    flag.decided_at = now
    flag.decided_by_id = actor.user_id if actor else None
    if decision == DuplicateDecision.MERGE:
        original = db.session.get_one(Case, flag.duplicate_of_id)  # a flag names an existing case
        case.merge_into(original, now)
        if case.instance_id:
            cancel_instance(case.instance_id, clock=clock, actor=actor, reason="merged")
    record(now, f"case.duplicate_{flag.status}", actor_id=actor.user_id if actor else None,
           actor_label=actor.label if actor else "系统", instance_id=case.instance_id,
           summary={"code": code, "duplicate_of_id": flag.duplicate_of_id})
    db.session.flush()
    return flag


def describe(flag: CaseDuplicate) -> dict[str, str]:
    """A flag as the API shows it."""
    original = db.session.get_one(Case, flag.duplicate_of_id)
    return {"duplicate_of": original.code, "status": flag.status, "reason": flag.reason}
