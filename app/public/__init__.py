"""Citizen self-service (群众自助): submit a dispute, follow it by code, rate it after close."""

from flask import Flask

from app.public.limits import DEFAULT_LIMITS


def init_app(app: Flask) -> None:
    """Register the public pages; PUBLIC_LIMITS may override the rate limits."""
    from app.public.views import bp  # noqa: PLC0415

    app.config.setdefault("PUBLIC_LIMITS", DEFAULT_LIMITS)
    app.register_blueprint(bp)
