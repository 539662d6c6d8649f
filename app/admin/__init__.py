"""The admin area: organisation, people, lanes, calendar, credentials and the audit log."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the admin pages and every user's password page."""
    from app.admin import account, views  # noqa: PLC0415
    from app.admin import org_views  # noqa: F401, PLC0415

    account.init_app(app)
    app.register_blueprint(views.bp)
