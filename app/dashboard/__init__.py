"""态势大屏: the center dashboard for coordinators and supervisors, and the grid map's polygons."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the dashboard pages and the `flask dashboard` commands."""
    from app.dashboard.cli import dashboard_command  # noqa: PLC0415
    from app.dashboard.views import bp  # noqa: PLC0415

    app.register_blueprint(bp)
    app.cli.add_command(dashboard_command)
