"""Liveness and readiness probes."""

from flask import Blueprint, Flask, jsonify
from sqlalchemy import text

from app.extensions import db

bp = Blueprint("health", __name__)


def _migration_heads() -> tuple[str | None, set[str]]:
    """(revision the database is at, head revisions of the migration scripts)."""
    from alembic.runtime.migration import MigrationContext  # noqa: PLC0415
    from alembic.script import ScriptDirectory  # noqa: PLC0415
    from flask import current_app  # noqa: PLC0415

    config = current_app.extensions["migrate"].migrate.get_config()
    heads = set(ScriptDirectory.from_config(config).get_heads())
    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current, heads


@bp.get("/healthz")
def healthz():
    """The process is alive."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """The database answers and its schema is at the migration head."""
    try:
        db.session.execute(text("SELECT 1"))
        current, heads = _migration_heads()
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        return jsonify(status="unavailable", reason=f"数据库不可用: {exc.__class__.__name__}"), 503
    if current not in heads:
        return jsonify(status="unavailable", reason="数据库结构不是最新版本，请执行 flask db upgrade",
                       current=current, heads=sorted(heads)), 503
    return jsonify(status="ok", revision=current, doctor=_doctor_detail())


def _doctor_detail() -> dict:
    """What the last consistency check left on record (informational: it never fails readiness).

    A stuck instance is a fault of one case, not of this node: taking the node out of the
    load balancer would not help it, so readiness stays ok and the detail says what to look at.
    """
    from app.workflow.doctor import open_findings  # noqa: PLC0415

    findings = open_findings(limit=20)
    return {"findings": len(findings),
            "instances": sorted({f.business_key or f.instance_id for f in findings})}


def init_app(app: Flask) -> None:
    """Register the probes."""
    app.register_blueprint(bp)
