"""Open311 GeoReport v2 (/open311/v2/): international 311 clients submit and follow cases."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the endpoints; they take API keys, not sessions, so they carry no CSRF token."""
    from app.auth import csrf  # noqa: PLC0415
    from app.open311.views import bp  # noqa: PLC0415

    csrf.exempt(bp)
    app.register_blueprint(bp)
