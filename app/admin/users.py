"""Users and memberships: create, disable, reset password, add and remove roles."""

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.admin.access import AdminScope
from app.admin.changes import audit_change
from app.admin.passwords import end_sessions, one_time_password, reset_password
from app.errors import Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.org.models import ROLE_LABELS, Department, Membership, OrgUnit, Role, User
from app.org.services import Actor

USERNAME = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")
MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
ROLE_BY_NAME = {**{label: role for role, label in ROLE_LABELS.items()},
                **{role.value: role for role in Role}}


@dataclass(frozen=True)
class MembershipSpec:
    """A role to give: at an org unit, or (with a department) in that unit's department."""

    org_unit_id: int | None
    role: str
    department_id: int | None = None


def parse_role(name: str, field: str) -> Role:
    """A role by its Chinese label (or code); a Chinese error naming the field otherwise."""
    role = ROLE_BY_NAME.get((name or "").strip())
    if role is None:
        known = "、".join(ROLE_LABELS.values())
        raise ValidationFailed("角色无效", {field: [f"未知的角色「{name}」，可选：{known}"]})
    return role


def membership_label(m: Membership) -> str:
    """「甘州区人社局 · 承办人」 or 「梁家墩镇 · 综合受理」."""
    place = m.place.name + m.department.name if m.department else m.place.name
    return f"{place} · {ROLE_LABELS[m.role]}"


def _resolve(scope: AdminScope, spec: MembershipSpec, field: str) -> dict:
    """The membership columns for `spec`, checked against the administrator's subtree."""
    role = parse_role(spec.role, f"{field}.role")
    if spec.department_id is not None:
        department = db.session.get(Department, spec.department_id)
        if department is None:
            raise ValidationFailed("部门不存在", {f"{field}.department": ["部门不存在"]})
        unit = department.org_unit
    else:
        found = db.session.get(OrgUnit, spec.org_unit_id) if spec.org_unit_id else None
        if found is None:
            raise ValidationFailed("单位不存在", {f"{field}.org_unit": ["请选择单位"]})
        unit = found
    if not scope.contains(unit):
        raise ValidationFailed("岗位超出管理范围", {f"{field}.org_unit": [
            f"「{unit.name}」不在您管理的范围内，不能在该处设岗位"]})
    if unit.retired_at is not None:
        raise ValidationFailed("单位已撤销", {f"{field}.org_unit": [f"「{unit.name}」已撤销"]})
    if spec.department_id is not None:
        return {"department_id": spec.department_id, "org_unit_id": None, "role": role}
    return {"department_id": None, "org_unit_id": unit.id, "role": role}


def users_in(scope: AdminScope) -> list[User]:
    """Users with a membership in the administered subtrees (city: every user)."""
    query = select(User).options(selectinload(User.memberships).selectinload(Membership.department)
                                 .selectinload(Department.org_unit),
                                 selectinload(User.memberships).selectinload(Membership.org_unit))
    if not scope.citywide:
        units = scope.unit_ids()
        query = query.join(Membership).outerjoin(Department).where(
            or_(Membership.org_unit_id.in_(units), Department.org_unit_id.in_(units))).distinct()
    return list(db.session.scalars(query.order_by(User.username)))


def manageable(scope: AdminScope, user_id: int) -> User:
    """The user, if every one of their memberships lies in the administrator's subtrees."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("用户不存在")
    places = [m.place for m in user.memberships]
    if not scope.citywide and (not places or not all(scope.contains(p) for p in places)):
        raise Forbidden(f"用户「{user.username}」有不在您管理范围内的岗位，请联系市级管理员")
    return user


def check_username(username: str, field: str = "username") -> str:
    """A well-formed username nobody has yet."""
    username = (username or "").strip()
    if not USERNAME.match(username):
        raise ValidationFailed("用户名无效", {field: ["用户名为 2–64 位字母、数字或 _ . -"]})
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ValidationFailed("用户名重复", {field: [f"用户名「{username}」已存在"]})
    return username


def check_phone(phone: str | None, field: str = "phone") -> str | None:
    """A mainland mobile number (11 digits from 13…–19…), or None for an empty value."""
    phone = re.sub(r"[\s-]", "", phone or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if not phone:
        return None
    if not MOBILE.match(phone):
        raise ValidationFailed("手机号无效", {field: ["请填写 11 位手机号码，如 13912345678"]})
    return phone


def set_phone(scope: AdminScope, user_id: int, phone: str | None, *, actor: Actor,
              now: datetime, field: str = "phone") -> User:
    """Set (or clear) a user's mobile number; audited with masked numbers."""
    user = manageable(scope, user_id)
    phone = check_phone(phone, field)
    if phone == user.phone:
        return user
    before = _state(user)
    user.phone = phone
    db.session.flush()
    audit_change(actor, "user.phone_changed", user.username, before, _state(user), now=now)
    return user


def create_user(scope: AdminScope, username: str, display_name: str,
                memberships: list[MembershipSpec], *, actor: Actor, now: datetime,
                field: str = "", phone: str | None = None) -> tuple[User, str]:
    """A new user with their memberships and a one-time password (changed at first sign-in)."""
    username = check_username(username, f"{field}username")
    if not (display_name or "").strip():
        raise ValidationFailed("姓名必填", {f"{field}display_name": ["请填写姓名"]})
    if not memberships:
        raise ValidationFailed("岗位必填", {f"{field}memberships": ["请至少设一个岗位"]})
    rows = [_resolve(scope, spec, f"{field}memberships[{i}]") for i, spec in enumerate(memberships)]
    phone = check_phone(phone, f"{field}phone")
    password = one_time_password()
    user = User(username=username, display_name=display_name.strip(), created_at=now, phone=phone,
                must_change_password=True, password_changed_at=now)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    for row in {tuple(r.items()): r for r in rows}.values():
        db.session.add(Membership(user_id=user.id, **row))
    db.session.flush()
    db.session.refresh(user)
    audit_change(actor, "user.created", username, None, _state(user), now=now)
    return user, password


def _state(user: User) -> dict:
    return {"username": user.username, "display_name": user.display_name, "active": user.active,
            "phone": user.masked_phone,
            "memberships": sorted(membership_label(m) for m in user.memberships)}


def add_membership(scope: AdminScope, user_id: int, spec: MembershipSpec, *, actor: Actor,
                   now: datetime) -> User:
    """Give a user one more role."""
    user = manageable(scope, user_id)
    row = _resolve(scope, spec, "membership")
    exists = select(Membership.id).where(Membership.user_id == user.id, *[
        getattr(Membership, k).is_(None) if v is None else getattr(Membership, k) == v
        for k, v in row.items()])
    if db.session.scalar(exists) is not None:
        raise ValidationFailed("岗位已存在", {"membership.role": ["该用户已有这个岗位"]})
    before = _state(user)
    db.session.add(Membership(user_id=user.id, **row))
    db.session.flush()
    db.session.refresh(user)
    audit_change(actor, "user.membership_added", user.username, before, _state(user), now=now)
    return user


def remove_membership(scope: AdminScope, membership_id: int, *, actor: Actor,
                      now: datetime) -> User:
    """Take a role away from a user."""
    membership = db.session.get(Membership, membership_id)
    if membership is None:
        raise NotFound("岗位不存在")
    user = manageable(scope, membership.user_id)
    before = _state(user)
    db.session.delete(membership)
    db.session.flush()
    db.session.refresh(user)
    audit_change(actor, "user.membership_removed", user.username, before, _state(user), now=now)
    return user


def set_active(scope: AdminScope, user_id: int, active: bool, *, actor: Actor,
               now: datetime) -> User:
    """Disable (or enable again) a user; a disabled user cannot sign in."""
    user = manageable(scope, user_id)
    if user.id == actor.user_id and not active:
        raise Forbidden("不能停用自己的账号")
    before = _state(user)
    user.active = active
    db.session.flush()
    if not active:
        end_sessions(user)
    audit_change(actor, "user.enabled" if active else "user.disabled", user.username,
                 before, _state(user), now=now)
    return user


def reset(scope: AdminScope, user_id: int, *, actor: Actor, now: datetime) -> tuple[User, str]:
    """Reset a user's password to a one-time password (shown once)."""
    user = manageable(scope, user_id)
    return user, reset_password(user, actor=actor, now=now)
