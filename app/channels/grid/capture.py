"""Reports from the grid worker app (PWA): the worker's own grids, a photo, the GPS position.

The app makes each report's id on the phone, so a report kept offline and sent again later —
or twice — is received once (the grid service is idempotent on `external_id`). The photo is
checked before anything is written: a refused photo leaves no report behind.
"""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from app.audit.services import record
from app.channels.grid.models import GridReport, GridReportCapture
from app.channels.grid.services import receive_report
from app.channels.scope import Scope
from app.clock import Clock
from app.errors import Forbidden, ValidationFailed
from app.extensions import db
from app.org.models import OrgLevel, OrgUnit, Role
from app.org.services import Actor

MAX_PHOTO = 2 * 1024 * 1024
PHOTO_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


def photo_type(data: bytes) -> str:
    """The photo's content type from its leading bytes; a 422 on `photo` when it is not one."""
    if len(data) > MAX_PHOTO:
        raise ValidationFailed("照片过大", {"photo": [f"照片不能超过 {MAX_PHOTO / 1048576:g} MB"]})
    for magic, kind in PHOTO_TYPES.items():
        if data.startswith(magic):
            return kind
    raise ValidationFailed("只能上传照片", {"photo": ["只能上传 JPG 或 PNG 照片"]})


def worker_grids(actor: Actor) -> list[OrgUnit]:
    """The grids the actor works in as a grid worker (retired ones take no new reports)."""
    ids = [unit_id for unit_id, role in actor.unit_roles if role == Role.GRID_WORKER]
    if not ids:
        return []
    return list(db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids),
                                                          OrgUnit.level == OrgLevel.GRID,
                                                          OrgUnit.retired_at.is_(None))
                                   .order_by(OrgUnit.code)))


def report_from_app(values: Mapping[str, Any], photo: bytes | None, *, actor: Actor, clock: Clock,
                    duplicate_window_days: int) -> tuple[GridReport, bool]:
    """Receive one report from the app as `actor`; a resend returns the first one unchanged."""
    kind = photo_type(photo) if photo else None
    grids = worker_grids(actor)
    if not grids:
        raise Forbidden("只有网格员可以上报")
    held = {g.code for g in grids}
    if values["grid_code"] not in held:
        raise Forbidden("只能上报本人负责的网格", {"grid_code": ["该网格不在您的负责范围内"]})
    scope = Scope(channels=frozenset({"grid"}), unit_ids=frozenset(g.id for g in grids))
    item = {key: value for key, value in values.items()
            if key not in ("latitude", "longitude", "accuracy_m", "captured_at")}
    report, created = receive_report({**item, "reporter": actor.label}, scope=scope, clock=clock,
                                     duplicate_window_days=duplicate_window_days)
    if not created:
        return report, False
    db.session.add(GridReportCapture(
        report_id=report.id, reporter_id=actor.user_id, latitude=values.get("latitude"),
        longitude=values.get("longitude"), accuracy_m=values.get("accuracy_m"),
        captured_at=values.get("captured_at"), photo=photo, photo_type=kind))
    record(clock.now(), "grid.app_report", actor_id=actor.user_id, actor_label=actor.label,
           summary={"external_id": report.external_id, "kind": report.kind, "photo": bool(photo)})
    db.session.flush()
    return report, True
