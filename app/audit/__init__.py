"""Append-only audit trail. The migration adds triggers that refuse UPDATE and DELETE."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the session hooks that write recorded events (app.audit.services)."""
    from app.audit import services  # noqa: PLC0415 - the models load after the extensions

    services.init_app(app)
