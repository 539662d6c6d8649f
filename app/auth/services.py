"""Sign-in with throttling, ending sessions, and the scopes (departments, org-unit roles) a user can act in.

The rules are written down in docs/security.md.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import delete, func, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from app.audit.services import record
from app.auth.models import LoginFailure
from app.extensions import db
from app.org.models import ROLE_LABELS, Department, Membership, User

THROTTLE_WINDOW = timedelta(minutes=15)
ACCOUNT_LIMIT = 5    # failures of one account name within the window, from anywhere
ADDRESS_LIMIT = 20   # failures from one client address within the window, for any accounts


@dataclass(frozen=True)
class Attempt:
    """The outcome of one sign-in attempt: the user, or why not (and when to try again)."""

    user: User | None
    throttled: str | None = None  # the Chinese message when refused for too many failures
    retry_after: int = 0


@dataclass(frozen=True)
class Scope:
    """One membership the user can switch to: a department, or a role at an org unit."""

    membership_id: int
    label: str


@cache
def _dummy_hash() -> str:
    """A hash of a password nobody has, checked for unknown users so they cost the same work."""
    return generate_password_hash("onedoor-no-such-user")


def _password_matches(user: User | None, password: str) -> bool:
    """Check the password with the same hashing work whether or not the user exists."""
    stored = user.password_hash if user is not None else _dummy_hash()
    return check_password_hash(stored, password) and user is not None and user.active


def _throttle(account: str, address: str, now: datetime) -> Attempt | None:
    """A refusal when the account or the address failed too often within the window."""
    since = now - THROTTLE_WINDOW
    for column, value, limit in ((LoginFailure.account, account, ACCOUNT_LIMIT),
                                 (LoginFailure.address, address, ADDRESS_LIMIT)):
        count, oldest = db.session.execute(
            select(func.count(), func.min(LoginFailure.at))
            .where(column == value, LoginFailure.at > since)).one()
        if count >= limit:
            wait = max(60, int((oldest + THROTTLE_WINDOW - now).total_seconds()))
            return Attempt(None, f"登录失败次数过多，请 {-(-wait // 60)} 分钟后再试", wait)
    return None


def authenticate(username: str, password: str, *, address: str, now: datetime) -> Attempt:
    """Check a sign-in: the active user with this username and password, throttled per account
    and per client address. Failures and throttle events are written in the caller's unit of work.
    """
    account = username.strip().lower()[:64]
    address = (address or "unknown")[:64]
    refused = _throttle(account, address, now)
    if refused is not None:
        # Checked before hashing: a throttled flood costs no hashing, and the throttle counts
        # unknown names too, so it tells nothing about which accounts exist.
        record(now, "auth.throttled", actor_label=account[:64],
               summary={"account": account, "address": address})
        return refused
    user = db.session.scalar(select(User).where(User.username == username))
    if _password_matches(user, password):
        db.session.execute(delete(LoginFailure).where(LoginFailure.account == account))
        return Attempt(user)
    db.session.execute(delete(LoginFailure).where(LoginFailure.at <= now - THROTTLE_WINDOW))
    db.session.add(LoginFailure(account=account, address=address, at=now))
    db.session.flush()
    return Attempt(None)


def session_version(user_id: int) -> int:
    """The version a session cookie of the user must carry to be valid."""
    return db.session.scalar(select(User.session_version).where(User.id == user_id)) or 0


def end_sessions(user: User) -> None:
    """End every session of the user, on every device: call on sign-out and on any password change."""
    user.session_version = (user.session_version or 0) + 1
    db.session.flush()


def scopes_of(user_id: int) -> list[Scope]:
    """Every membership of the user, labelled in Chinese, in a stable order."""
    rows = db.session.scalars(select(Membership).where(Membership.user_id == user_id)
                              .options(joinedload(Membership.department).joinedload(Department.org_unit),
                                       joinedload(Membership.org_unit))
                              .order_by(Membership.id)).all()
    scopes = []
    for m in rows:
        place = m.place.name + m.department.name if m.department else m.place.name
        scopes.append(Scope(m.id, f"{place} · {ROLE_LABELS[m.role]}"))
    return scopes
