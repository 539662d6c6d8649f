"""Grid polygons (网格边界) drawn on the dashboard's map."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model


class GridShape(Model):
    """One org unit's outline as a GeoJSON geometry (Polygon or MultiPolygon, WGS 84 lon/lat)."""

    __tablename__ = "grid_shape"

    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), primary_key=True)
    geometry: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime]
