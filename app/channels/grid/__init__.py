"""Grid reports (网格上报): the 陇情e通 API and the grid worker app."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the grid worker app (/grid/)."""
    from app.channels.grid.pwa import bp  # noqa: PLC0415

    app.register_blueprint(bp)
