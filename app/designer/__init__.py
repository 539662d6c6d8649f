"""流程设计: deployments, version diffs, drafts, the browser modeler and instance migration."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the designer pages (deployments, modeler, migration share one blueprint)."""
    from app.designer import migrate_views, modeler_views  # noqa: F401, PLC0415 - add routes
    from app.designer.views import bp  # noqa: PLC0415

    app.register_blueprint(bp)
