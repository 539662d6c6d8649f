"""流程设计: deployments, version diffs, drafts, the browser modeler and instance migration."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the designer pages (deployments, modeler, migration share one blueprint) and
    the worker job that carries out background bulk migrations."""
    from datetime import timedelta  # noqa: PLC0415

    from app.designer import migrate_views, modeler_views  # noqa: F401, PLC0415 - add routes
    from app.designer.migration_jobs import JOB_NAME, run_running_jobs  # noqa: PLC0415
    from app.designer.views import bp  # noqa: PLC0415
    from app.workflow.worker import register_job  # noqa: PLC0415

    app.register_blueprint(bp)
    register_job(JOB_NAME, timedelta(seconds=2), run_running_jobs)
