"""The admin area: organisation, people, lanes, calendar, credentials and the audit log."""

import importlib

from flask import Flask

# each of these modules adds its pages to the admin blueprint
PAGES = ("org_views", "department_views", "user_views", "lane_views", "calendar_views",
         "key_views", "audit_views")


def init_app(app: Flask) -> None:
    """Register the admin pages and every user's password page."""
    from app.admin import account, views  # noqa: PLC0415

    for module in PAGES:
        importlib.import_module(f"app.admin.{module}")
    account.init_app(app)
    app.register_blueprint(views.bp)
