"""Following a case from the public pages (一码解纷): by its code and the phone's last four digits.

A wrong code and wrong digits get the same answer, so the form cannot be used to find which
codes exist. What a citizen sees: status, current step and its deadline, finished steps, the
parties' names masked; never handlers' names, notes, comments or other parties' contacts.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from app.audit.services import record
from app.cases.labels import CATEGORIES, PARTY_ROLES, label
from app.cases.models import CASE_STATUS_LABELS, Case, Party
from app.cases.routemap import route_map
from app.clock import Clock
from app.errors import OneDoorError
from app.extensions import db
from app.public.models import RATING_LABELS, Rating, SatisfactionRating
from app.public.submission import CITIZEN
from app.workflow import services as workflow

REVIEW_PROCESS = "satisfaction_review"
NOT_FOUND = "未查询到案件，请核对案件编码和手机号后四位"


class NotTracked(OneDoorError):
    """No case with this code and these phone digits (the same for both mistakes)."""

    code = "not_tracked"
    http_status = 404


class CannotRate(OneDoorError):
    """The case is not closed yet, or has been rated already."""

    code = "cannot_rate"
    http_status = 409


@dataclass
class PublicStep:
    """One step as a citizen sees it."""

    title: str
    state: str
    due_at: datetime | None
    finished: datetime | None
    time_left: str = ""


@dataclass
class PublicCase:
    """What the tracking page shows."""

    code: str
    title: str
    status: str
    category: str
    received_at: datetime
    closed: bool
    current: list[PublicStep] = field(default_factory=list)
    done: list[PublicStep] = field(default_factory=list)
    parties: list[tuple[str, str]] = field(default_factory=list)
    rating: str | None = None


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳修 → 欧**: the family name only."""
    return name[:1] + "*" * max(1, len(name) - 1)


def find_case(code: str, last4: str) -> Case:
    """The case whose applicant's phone ends in `last4`; NotTracked otherwise."""
    case = db.session.scalar(select(Case).where(Case.code == code.strip().upper()))
    phones = [] if case is None else [p for p in db.session.scalars(select(Party.phone).where(
        Party.case_id == case.id, Party.role == "applicant", Party.phone.is_not(None))) if p]
    if case is None or len(last4) != 4 or not any(p.endswith(last4) for p in phones):
        raise NotTracked(NOT_FOUND, {"code": [NOT_FOUND]})
    return case


def public_case(case: Case, now: datetime) -> PublicCase:
    """The citizen's view of a case."""
    route = route_map(case, now)
    view = PublicCase(code=case.code, title=case.title, status=CASE_STATUS_LABELS[case.status],
                      category=label(CATEGORIES, case.category), received_at=case.received_at,
                      closed=case.closed_at is not None,
                      parties=[(label(PARTY_ROLES, p.role), mask_name(p.name)) for p in case.parties])
    for step in route.steps:
        public = PublicStep(step.title, step.state, step.due_at, step.finished, step.time_left)
        if step.state in ("active", "warning", "overdue"):
            view.current.append(public)
        elif step.state == "done":
            view.done.append(public)
    rating = db.session.scalar(select(SatisfactionRating.rating).where(SatisfactionRating.case_id == case.id))
    view.rating = RATING_LABELS[rating] if rating else None
    return view


def rate_case(code: str, last4: str, rating: Rating, comment: str, *, clock: Clock) -> SatisfactionRating:
    """The applicant rates a closed case once; 不满意 opens a review task at the county center."""
    now = clock.now()
    case = find_case(code, last4)
    if case.closed_at is None:
        raise CannotRate("案件办结后才能评价", {"rating": ["案件办结后才能评价"]})
    if db.session.scalar(select(func.count()).select_from(SatisfactionRating)
                         .where(SatisfactionRating.case_id == case.id)):
        raise CannotRate("该案件已评价，感谢您的反馈", {"rating": ["该案件已评价"]})
    row = SatisfactionRating(case_id=case.id, rating=rating, comment=comment.strip(), rated_at=now)
    db.session.add(row)
    db.session.flush()
    if rating == Rating.DISSATISFIED:
        instance = workflow.start_instance(
            REVIEW_PROCESS, business_key=case.code, org_unit_id=case.org_unit_id, clock=clock,
            data={"title": case.title, "rating": rating.value, "comment": row.comment})
        row.review_instance_id = instance.id
    record(now, "public.rated", actor_label=CITIZEN, instance_id=case.instance_id,
           summary={"code": case.code, "rating": rating.value})
    db.session.flush()
    return row
