"""Demo organisation for Zhangye (张掖市): the tree, stationed departments, one user per role."""

from datetime import datetime
from functools import cache

from sqlalchemy import select

from app.extensions import db
from app.org.models import (
    Department,
    LaneRule,
    Membership,
    OrgLevel,
    OrgUnit,
    Role,
    StationingMode,
    User,
)

DEMO_PASSWORD = "onedoor2026"  # documented in the README; demo data only

COUNTIES = {
    "甘州区": ["梁家墩镇", "党寨镇"],
    "临泽县": ["沙河镇", "板桥镇"],
    "高台县": ["城关镇", "南华镇"],
    "山丹县": ["清泉镇", "东乐镇"],
    "民乐县": ["洪水镇", "六坝镇"],
    "肃南裕固族自治县": ["红湾寺镇", "马蹄藏族乡"],
}
VILLAGES_PER_TOWNSHIP = 2
GRIDS_PER_VILLAGE = 2

P, R, C = StationingMode.PERMANENT, StationingMode.ROTATING, StationingMode.ON_CALL
DEPARTMENTS = [
    ("court", "法院", P), ("procuratorate", "检察院", P), ("police", "公安", P),
    ("petition", "信访局", P), ("justice", "司法局", P), ("hrss", "人社局", P),
    ("housing", "住建局", P), ("natural_resources", "自然资源局", P),
    ("mediation", "人民调解委员会", P),
    ("ecology", "生态环境局", R), ("civil_affairs", "民政局", R), ("health", "卫健局", R),
    ("trade_union", "工会", R), ("womens_federation", "妇联", R),
    ("psychology", "心理咨询室", C), ("industry_mediation", "行业调解组织", C),
]

# lane name in the diagrams → (org level, department code, role)
DEFAULT_LANES = [
    ("综合受理", OrgLevel.TOWNSHIP, None, Role.WINDOW_CLERK, "乡镇综治中心受理窗口"),
    ("网格员", OrgLevel.GRID, None, Role.GRID_WORKER, "案件所在网格的网格员"),
    ("村调委会", OrgLevel.VILLAGE, None, Role.MEDIATOR, "村/社区人民调解委员会"),
    ("乡镇综治中心", OrgLevel.TOWNSHIP, None, Role.MEDIATOR, "乡镇综治中心调解员"),
    ("乡镇党委政府", OrgLevel.TOWNSHIP, None, Role.HANDLER, "乡镇党委和政府"),
    ("县综治中心", OrgLevel.COUNTY, None, Role.CENTER_COORDINATOR, "县区综治中心"),
    ("综治中心调度", OrgLevel.COUNTY, None, Role.CENTER_COORDINATOR, "县区综治中心调度"),
    ("承办部门", None, None, Role.HANDLER, "由任务数据指定的承办部门"),
    ("督办", OrgLevel.COUNTY, None, Role.SUPERVISOR, "县区综治中心督办"),
]


def seed_default_lanes() -> int:
    """Insert the default lane rules that are missing; return how many were added."""
    existing = set(db.session.scalars(select(LaneRule.lane)))
    added = 0
    for lane, level, code, role, description in DEFAULT_LANES:
        if lane not in existing:
            db.session.add(LaneRule(lane=lane, org_level=level, department_code=code, role=role,
                                    description=description))
            added += 1
    db.session.flush()
    return added


def _unit(code: str, name: str, level: OrgLevel, parent: OrgUnit | None) -> OrgUnit:
    unit = OrgUnit(code=code, name=name, level=level, parent=parent)
    db.session.add(unit)
    db.session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    return unit


def _tree() -> dict[str, OrgUnit]:
    """Build the city tree; return units by code."""
    units = {}
    city = units["zy"] = _unit("zy", "张掖市", OrgLevel.CITY, None)
    for c, (county_name, townships) in enumerate(COUNTIES.items(), start=1):
        county = units[f"zy-{c}"] = _unit(f"zy-{c}", county_name, OrgLevel.COUNTY, city)
        for t, township_name in enumerate(townships, start=1):
            township = _unit(f"zy-{c}-{t}", township_name, OrgLevel.TOWNSHIP, county)
            units[township.code] = township
            for v in range(1, VILLAGES_PER_TOWNSHIP + 1):
                village = _unit(f"{township.code}-{v}", f"{township_name}第{v}村",
                                OrgLevel.VILLAGE, township)
                units[village.code] = village
                for g in range(1, GRIDS_PER_VILLAGE + 1):
                    grid = _unit(f"{village.code}-{g}", f"{village.name}第{g}网格",
                                 OrgLevel.GRID, village)
                    units[grid.code] = grid
    return units


@cache
def _demo_password_hash() -> str:
    """Hash the shared demo password once; hashing is deliberately slow."""
    probe = User()
    probe.set_password(DEMO_PASSWORD)
    return probe.password_hash


def _user(username: str, name: str, now: datetime, **membership) -> User:
    user = User(username=username, display_name=name, created_at=now,
                password_hash=_demo_password_hash())
    db.session.add(user)
    db.session.flush()
    db.session.add(Membership(user_id=user.id, **membership))
    return user


def seed_demo(now: datetime) -> dict[str, int]:
    """Create the demo organisation unless it exists; return counts."""
    if db.session.scalar(select(OrgUnit).where(OrgUnit.code == "zy")) is not None:
        return {"org_units": 0, "departments": 0, "users": 0, "lanes": seed_default_lanes()}
    units = _tree()
    departments = {}
    for c in range(1, len(COUNTIES) + 1):
        for code, name, mode in DEPARTMENTS:
            dept = Department(code=code, name=name, stationing=mode, org_unit=units[f"zy-{c}"])
            db.session.add(dept)
            departments[(c, code)] = dept
    db.session.flush()
    home = "zy-1-1"  # 甘州区 梁家墩镇
    people = [
        ("clerk", "王受理", {"org_unit_id": units[home].id, "role": Role.WINDOW_CLERK}),
        ("mediator", "李调解", {"org_unit_id": units[home].id, "role": Role.MEDIATOR}),
        ("grid", "张网格", {"org_unit_id": units[f"{home}-1-1"].id, "role": Role.GRID_WORKER}),
        ("village", "赵村调", {"org_unit_id": units[f"{home}-1"].id, "role": Role.MEDIATOR}),
        ("township", "钱镇长", {"org_unit_id": units[home].id, "role": Role.HANDLER}),
        ("coordinator", "孙调度", {"org_unit_id": units["zy-1"].id,
                                   "role": Role.CENTER_COORDINATOR}),
        ("hrss", "周人社", {"department_id": departments[(1, "hrss")].id,
                            "role": Role.HANDLER}),
        ("supervisor", "吴督办", {"org_unit_id": units["zy-1"].id, "role": Role.SUPERVISOR}),
        ("designer", "郑设计", {"org_unit_id": units["zy"].id, "role": Role.PROCESS_DESIGNER}),
        ("admin", "冯管理", {"org_unit_id": units["zy"].id, "role": Role.ADMIN}),
    ]
    for username, name, membership in people:
        _user(username, name, now, **membership)
    lanes = seed_default_lanes()
    db.session.flush()
    return {"org_units": len(units), "departments": len(departments), "users": len(people),
            "lanes": lanes}


def seed_demo_grids(now: datetime) -> int:
    """Synthetic outlines for the demo grids that have none yet, so the dashboard map shows at once.

    Grids that already have an outline (an admin's upload) keep it; the number stored.
    """
    # the dashboard builds on the organisation, not the other way round: import here
    from app.dashboard.geo import demo_collection, load_shapes  # noqa: PLC0415
    from app.dashboard.models import GridShape  # noqa: PLC0415

    shaped = set(db.session.scalars(select(OrgUnit.code).join(GridShape, GridShape.org_unit_id == OrgUnit.id)
                                    ))
    collection = demo_collection()
    collection["features"] = [f for f in collection["features"] if f["properties"]["code"] not in shaped]
    return load_shapes(collection, now) if collection["features"] else 0
