"""Reports (报表): 日汇总/周研判/月总结/季汇报 and the monthly 平安形势分析研判报告."""

from datetime import timedelta

from flask import Flask

GENERATE_EVERY = timedelta(minutes=10)


def init_app(app: Flask) -> None:
    """Register the report pages and the scheduled generation job."""
    from app.reports.services import generate_snapshots  # noqa: PLC0415
    from app.reports.views import bp  # noqa: PLC0415
    from app.workflow.worker import register_job  # noqa: PLC0415

    app.register_blueprint(bp)
    register_job("reports.snapshots", GENERATE_EVERY, generate_snapshots)
