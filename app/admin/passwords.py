"""Password policy: length and character classes, no reuse of the last N, forced change.

An administrator's reset sets a one-time password and `must_change_password`; the next
sign-in can do nothing before choosing a new one (app/admin/account.py). Changing or
resetting a password ends the user's other sessions through `end_sessions` when the
session-revocation work (app/auth/services.py) provides it; until then the named hook
list `PASSWORD_CHANGED_HOOKS` is where the integrator wires it.
"""

import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.admin.models import PasswordHistory
from app.audit.services import record
from app.errors import Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.org.models import User
from app.org.services import Actor

# Called with the user after any password change or reset (e.g. to end their sessions).
PASSWORD_CHANGED_HOOKS: list[Callable[[User], None]] = []
CLASSES = (("小写字母", string.ascii_lowercase), ("大写字母", string.ascii_uppercase),
           ("数字", string.digits), ("符号", string.punctuation))


@dataclass(frozen=True)
class PasswordPolicy:
    """What a new password must be (defaults for a government network; config may raise them)."""

    min_length: int = 10
    min_classes: int = 3
    history: int = 5


def policy_problems(password: str, username: str, policy: PasswordPolicy) -> list[str]:
    """Chinese reasons `password` breaks the policy (empty when it is acceptable)."""
    problems = []
    if len(password) < policy.min_length:
        problems.append(f"密码至少需要 {policy.min_length} 位")
    present = [name for name, chars in CLASSES if any(c in chars for c in password)]
    if len(present) < policy.min_classes:
        problems.append(f"密码需包含小写字母、大写字母、数字、符号中的至少 {policy.min_classes} 类")
    if username and username.lower() in password.lower():
        problems.append("密码不能包含用户名")
    return problems


def _reused(user: User, password: str, policy: PasswordPolicy) -> bool:
    if user.check_password(password):
        return True
    earlier = db.session.scalars(select(PasswordHistory.password_hash)
                                 .where(PasswordHistory.user_id == user.id)
                                 .order_by(PasswordHistory.id.desc()).limit(policy.history - 1))
    probe = User()
    for digest in earlier:
        probe.password_hash = digest
        if probe.check_password(password):
            return True
    return False


def _store(user: User, password: str, now: datetime, *, must_change: bool) -> None:
    if user.password_hash:
        db.session.add(PasswordHistory(user_id=user.id, password_hash=user.password_hash,
                                       created_at=now))
    user.set_password(password)
    user.password_changed_at = now
    user.must_change_password = must_change
    db.session.flush()
    end_sessions(user)


def end_sessions(user: User) -> None:
    """End the user's other sessions: the auth area's `end_sessions` if present, then the hooks."""
    from app.auth import services as auth_services  # noqa: PLC0415

    end = getattr(auth_services, "end_sessions", None)
    if end is not None:
        end(user)
    for hook in PASSWORD_CHANGED_HOOKS:
        hook(user)


def change_own_password(user_id: int, current: str, new: str, confirm: str, *, now: datetime,
                        policy: PasswordPolicy) -> User:
    """A user chooses a new password (forced after a reset, or by choice)."""
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        raise NotFound("用户不存在或已停用")
    errors: dict[str, list[str]] = {}
    if not user.check_password(current):
        errors["current"] = ["当前密码不正确"]
    problems = policy_problems(new, user.username, policy)
    if problems:
        errors["new"] = problems
    elif _reused(user, new, policy):
        errors["new"] = [f"不能使用最近 {policy.history} 次用过的密码"]
    if new != confirm:
        errors["confirm"] = ["两次输入的新密码不一致"]
    if errors:
        raise ValidationFailed("密码未修改", errors)
    _store(user, new, now, must_change=False)
    record(now, "user.password_changed", actor_id=user.id, actor_label=user.display_name,
           summary={"user": user.username, "before": {"must_change_password": True},
                    "after": {"must_change_password": False}})
    return user


def one_time_password() -> str:
    """A random password that meets the default policy (shown once to the administrator)."""
    alphabet = string.ascii_letters + string.digits
    body = "".join(secrets.choice(alphabet) for _ in range(8))
    upper, lower = secrets.choice(string.ascii_uppercase), secrets.choice(string.ascii_lowercase)
    return f"{upper}{lower}{body}-{secrets.randbelow(90) + 10}"


def reset_password(user: User, *, actor: Actor, now: datetime) -> str:
    """An administrator's reset: a one-time password, changed at the next sign-in."""
    if user.id == actor.user_id:
        raise Forbidden("不能重置自己的密码，请在“修改密码”中修改")
    password = one_time_password()
    before = user.must_change_password
    _store(user, password, now, must_change=True)
    record(now, "user.password_reset", actor_id=actor.user_id, actor_label=actor.label,
           summary={"user": user.username, "before": {"must_change_password": before},
                    "after": {"must_change_password": True}})
    return password


def flag_shared_password(user: User, now: datetime) -> None:
    """The demo's shared password used in production: the user must change it now."""
    if user.must_change_password:
        return
    user.must_change_password = True
    record(now, "user.shared_password_flagged", actor_id=user.id, actor_label=user.display_name,
           summary={"user": user.username, "before": {"must_change_password": False},
                    "after": {"must_change_password": True}})
    db.session.flush()
