"""A small, hand-countable data set for the dashboard: cases in many grids, demo polygons."""

from datetime import timedelta

from sqlalchemy import insert, select

from app.cases.models import Case, CaseStatus, RiskTier
from app.dashboard import geo
from app.extensions import db
from app.org.models import OrgLevel, OrgUnit
from app.unit_of_work import run_unit

CHANNELS = ("walk_in", "grid", "hotline_12345")
TIERS = (RiskTier.BLUE, RiskTier.YELLOW, RiskTier.ORANGE, RiskTier.RED)


def seed_cases(now) -> dict:
    """Grid i of 甘州区 gets i % 6 cases, received over the last days; today's every third one.

    Returns the expected counts: per grid, today's per channel, open red/orange."""
    grids = db.session.scalars(select(OrgUnit).where(OrgUnit.level == OrgLevel.GRID,
                                                     OrgUnit.path.startswith(_path("zy-1")))
                               .order_by(OrgUnit.path)).all()
    rows, expected, number = [], {"grid": {}, "today": {}, "red": 0, "orange": 0}, 0
    for i, grid in enumerate(grids):
        for j in range(i % 6):
            number += 1
            at = now - timedelta(hours=1) if number % 3 == 0 else now - timedelta(days=1 + j)
            channel, tier = CHANNELS[number % 3], TIERS[number % 4]
            rows.append({"code": f"ZY-2026-9{number:05d}", "title": f"示例纠纷{number}", "narrative": "-",
                         "channel": channel, "category": "neighbour", "risk_tier": tier, "people_count": 2,
                         "org_unit_id": grid.id, "received_at": at, "status": CaseStatus.IN_PROGRESS,
                         "route": "four_levels", "level": "网格员首调", "updated_at": now})
            expected["grid"][grid.code] = expected["grid"].get(grid.code, 0) + 1
            if number % 3 == 0:
                expected["today"][channel] = expected["today"].get(channel, 0) + 1
            if tier in (RiskTier.RED, RiskTier.ORANGE):
                expected[tier.value] += 1
    db.session.execute(insert(Case.__table__), rows)
    db.session.flush()
    return expected


def _path(code: str) -> str:
    return db.session.scalar(select(OrgUnit.path).where(OrgUnit.code == code))


def seed_dashboard(clock) -> dict:
    """The cases above and the demo's synthetic polygons for every grid."""
    expected = run_unit(lambda: seed_cases(clock.now()))
    run_unit(lambda: geo.load_shapes(geo.demo_collection(), clock.now()))
    return expected
