"""Loading grid polygons from GeoJSON, and the demo's synthetic polygons.

A FeatureCollection whose features name their grid by `properties.code` (the org unit code,
e.g. `zy-1-1-1-1`); each geometry is a Polygon or MultiPolygon. A file is checked whole
before anything is written: one bad feature refuses the load with its path.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.dashboard.models import GridShape
from app.errors import ValidationFailed
from app.extensions import db
from app.org.models import OrgLevel, OrgUnit

GEOMETRIES = ("Polygon", "MultiPolygon")
# The demo's grids are laid out around Zhangye (100.45° E, 38.93° N): counties in a row,
# each grid a small square, so the map reads like a real one without pretending to be it.
DEMO_ORIGIN = (100.0, 38.6)
DEMO_STEP = 0.1


def _ring_ok(ring: Any) -> bool:
    return (isinstance(ring, list) and len(ring) >= 4 and ring[0] == ring[-1]
            and all(isinstance(p, list) and len(p) >= 2 and all(isinstance(c, int | float) for c in p[:2])
                    for p in ring))


def _geometry_errors(geometry: Any) -> list[str]:
    if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRIES:
        return ["几何类型须为 Polygon 或 MultiPolygon"]
    polygons = [geometry.get("coordinates")] if geometry["type"] == "Polygon" else geometry.get("coordinates")
    if not isinstance(polygons, list) or not polygons or not all(
            isinstance(rings, list) and rings and all(_ring_ok(r) for r in rings) for rings in polygons):
        return ["坐标须为闭合的经纬度环（首尾相同，至少 4 个点）"]
    return []


def _checked(collection: Any, units: dict[str, OrgUnit]) -> list[tuple[OrgUnit, dict]]:
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection" or \
            not isinstance(collection.get("features"), list):
        raise ValidationFailed("文件须为 GeoJSON FeatureCollection", {"file": ["不是 FeatureCollection"]})
    errors: dict[str, list[str]] = {}
    found: list[tuple[OrgUnit, dict[str, Any]]] = []
    for i, feature in enumerate(collection["features"]):
        code = ((feature or {}).get("properties") or {}).get("code")
        unit = units.get(code) if isinstance(code, str) else None
        problems = ([] if unit else [f"properties.code「{code}」不是已有的组织单位编码"]) + \
            _geometry_errors((feature or {}).get("geometry"))
        if problems or unit is None:
            errors[f"features[{i}]"] = problems
        else:
            found.append((unit, feature["geometry"]))
    if errors:
        raise ValidationFailed(f"有 {len(errors)} 个要素无法导入", errors)
    return found


def load_shapes(collection: Any, now: datetime) -> int:
    """Store (or replace) the outline of every feature's org unit; the number stored."""
    units = {u.code: u for u in db.session.scalars(select(OrgUnit))}
    shapes = _checked(collection, units)
    for unit, geometry in shapes:
        row = db.session.get(GridShape, unit.id)
        if row is None:
            db.session.add(GridShape(org_unit_id=unit.id, geometry=geometry, updated_at=now))
        else:
            row.geometry, row.updated_at = geometry, now
    db.session.flush()
    return len(shapes)


def _square(x: float, y: float) -> dict[str, Any]:
    s = DEMO_STEP * 0.92
    return {"type": "Polygon", "coordinates": [[[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]]}


def demo_collection() -> dict[str, Any]:
    """Synthetic square polygons for every grid of the organisation (the demo has 48)."""
    grids = db.session.scalars(select(OrgUnit).where(OrgUnit.level == OrgLevel.GRID)
                               .order_by(OrgUnit.path)).all()
    features = []
    for i, grid in enumerate(grids):
        # eight grids per county in a 4 × 2 block; the counties' blocks three to a row
        county, k = divmod(i, 8)
        column = (county % 3) * 4.6 + k % 4
        row = (county // 3) * 2.6 + k // 4
        x, y = DEMO_ORIGIN[0] + column * DEMO_STEP, DEMO_ORIGIN[1] + row * DEMO_STEP
        features.append({"type": "Feature", "properties": {"code": grid.code, "name": grid.name},
                         "geometry": _square(round(x, 4), round(y, 4))})
    return {"type": "FeatureCollection", "features": features}
