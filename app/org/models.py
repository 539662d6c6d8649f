"""Organisation: org units as a tree, departments, users and their memberships."""

import enum
from datetime import date, datetime

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import Model, db


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    """Store an enum by its value (readable in SQL), not by member name."""
    return Enum(cls, name=name, values_callable=lambda e: [m.value for m in e],
                native_enum=False, length=32, validate_strings=True)


class OrgLevel(enum.Enum):
    """Levels of the tree, top to bottom."""

    CITY = "city"            # 市
    COUNTY = "county"        # 县区
    TOWNSHIP = "township"    # 乡镇
    VILLAGE = "village"      # 村/社区
    GRID = "grid"            # 网格


LEVEL_ORDER = [OrgLevel.CITY, OrgLevel.COUNTY, OrgLevel.TOWNSHIP, OrgLevel.VILLAGE, OrgLevel.GRID]
LEVEL_LABELS = {OrgLevel.CITY: "市", OrgLevel.COUNTY: "县区", OrgLevel.TOWNSHIP: "乡镇",
                OrgLevel.VILLAGE: "村/社区", OrgLevel.GRID: "网格"}


class StationingMode(enum.Enum):
    """How a department is stationed at a center."""

    PERMANENT = "permanent"  # 常驻
    ROTATING = "rotating"    # 轮驻
    ON_CALL = "on_call"      # 随驻


class Role(enum.Enum):
    """What a member does in a department or org unit."""

    WINDOW_CLERK = "window_clerk"              # 综合受理
    HANDLER = "handler"                        # 承办人
    MEDIATOR = "mediator"                      # 调解员
    GRID_WORKER = "grid_worker"                # 网格员
    CENTER_COORDINATOR = "center_coordinator"  # 综治中心调度
    SUPERVISOR = "supervisor"                  # 督办
    PROCESS_DESIGNER = "process_designer"      # 流程设计
    ADMIN = "admin"                            # 管理员


ROLE_LABELS = {Role.WINDOW_CLERK: "综合受理", Role.HANDLER: "承办人", Role.MEDIATOR: "调解员",
               Role.GRID_WORKER: "网格员", Role.CENTER_COORDINATOR: "综治中心调度",
               Role.SUPERVISOR: "督办", Role.PROCESS_DESIGNER: "流程设计", Role.ADMIN: "管理员"}


class OrgUnit(Model):
    """A node of the tree: city → county/district → township → village/community → grid.

    `path` is the materialised path of ids ("/1/4/17/") so a subtree is one indexed
    prefix query and ancestors are read without recursion.
    """

    __tablename__ = "org_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    level: Mapped[OrgLevel] = mapped_column(_enum(OrgLevel, "org_level"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    path: Mapped[str] = mapped_column(String(255), index=True, default="")
    # Units cases point at are never deleted; a retired unit takes no new cases or members.
    retired_at: Mapped[datetime | None]

    parent: Mapped["OrgUnit | None"] = relationship(remote_side=[id])

    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this unit, inclusive."""
        return [int(part) for part in self.path.strip("/").split("/") if part]


class Department(Model):
    """A stationed department (人社局, 法院 …) at its home org unit (usually a county center)."""

    __tablename__ = "department"
    __table_args__ = (UniqueConstraint("code", "org_unit_id", name="uq_department_code_unit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(128))
    stationing: Mapped[StationingMode] = mapped_column(_enum(StationingMode, "stationing_mode"))
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)

    org_unit: Mapped[OrgUnit] = relationship()


class DepartmentUnit(Model):
    """A further unit a department serves besides its home unit (e.g. a township of a
    neighbouring county); lane resolution finds it there as if it were stationed there."""

    __tablename__ = "department_unit"

    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), primary_key=True, index=True)


class StationingPeriod(Model):
    """Days a 轮驻 department sits in its center (both ends inclusive; no end: until rotated out)."""

    __tablename__ = "stationing_period"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]

    def covers(self, day: date) -> bool:
        """True when `day` lies inside the period."""
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class User(Model):
    """A person who signs in. Passwords are stored hashed."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    notifications_seen_at: Mapped[datetime | None]
    # Set by an administrator's reset: the next sign-in must choose a new password first.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=db.false())
    password_changed_at: Mapped[datetime | None]
    # Bumped to end every session of the user (sign-out, password change): cookies carry it.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Mainland mobile number for urgent-task SMS (app/notify/urgent.py); None means no SMS.
    phone: Mapped[str | None] = mapped_column(String(11))

    memberships: Mapped[list["Membership"]] = relationship(back_populates="user")

    @property
    def masked_phone(self) -> str | None:
        """The phone as others see it: 139****5678."""
        return self.phone and self.phone[:3] + "****" + self.phone[-4:]

    def set_password(self, password: str) -> None:
        """Hash and store a new password."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """True when `password` matches the stored hash."""
        return check_password_hash(self.password_hash, password)


class Membership(Model):
    """A user's role in a department or at an org unit (exactly one of the two)."""

    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("user_id", "department_id", "org_unit_id", "role", name="uq_membership_scope"),
        db.CheckConstraint("(department_id IS NULL) <> (org_unit_id IS NULL)",
                           name="one_scope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role, "member_role"))

    user: Mapped[User] = relationship(back_populates="memberships")
    department: Mapped[Department | None] = relationship()
    org_unit: Mapped[OrgUnit | None] = relationship()

    @property
    def place(self) -> OrgUnit:
        """The unit the post is held at: the department's home unit, or the membership's own unit
        (exactly one of the two is set, by the `one_scope` constraint)."""
        if self.department is not None:
            return self.department.org_unit
        assert self.org_unit is not None, "membership without a scope"
        return self.org_unit


class LaneRule(Model):
    """Which people a BPMN lane means: data, not code.

    A lane resolves against the case's location (an org unit, usually a grid):
    `org_level` picks the ancestor at that level and `role` the members there;
    `department_code` picks the nearest department with that code serving an
    ancestor of the location. A task's `candidateDepartment` property overrides it.
    """

    __tablename__ = "lane_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    lane: Mapped[str] = mapped_column(String(64), unique=True)
    org_level: Mapped[OrgLevel | None] = mapped_column(_enum(OrgLevel, "org_level"))
    department_code: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[Role | None] = mapped_column(_enum(Role, "member_role"))
    description: Mapped[str] = mapped_column(String(255), default="")
