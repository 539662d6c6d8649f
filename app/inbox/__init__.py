"""我的待办: department staff's task inbox."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the inbox pages."""
    from app.inbox.views import bp  # noqa: PLC0415

    app.register_blueprint(bp)
