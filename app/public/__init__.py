"""Citizen self-service (群众自助): submit a dispute, follow it by code, rate it after close."""

from datetime import timedelta

from flask import Flask

from app.public.limits import DEFAULT_LIMITS

HOUSEKEEPING_JOB = "public.forget_rate_events"


def init_app(app: Flask) -> None:
    """Register the public pages and the hourly clean-up of old attempts (PUBLIC_LIMITS: the limits)."""
    from app.public.limits import forget_old  # noqa: PLC0415
    from app.public.views import bp  # noqa: PLC0415
    from app.workflow.worker import register_job  # noqa: PLC0415

    app.config.setdefault("PUBLIC_LIMITS", DEFAULT_LIMITS)
    app.register_blueprint(bp)
    register_job(HOUSEKEEPING_JOB, timedelta(hours=1), lambda clock: forget_old(clock.now()))
