"""Notifications (通知): one interface, a null and an HTTP SMS gateway implementation."""

import os

from flask import Flask

from app.notify.services import SMS_TARGET, NullNotifier, SmsGatewayNotifier

DEV_SMS_SECRET = "onedoor-dev-sms-secret"


def init_app(app: Flask) -> None:
    """Pick the notifier from NOTIFIER (null | sms_gateway); register the admin page."""
    from app.notify.listeners import on_instance_synced  # noqa: PLC0415
    from app.notify.views import bp  # noqa: PLC0415
    from app.workflow.sync import add_listener  # noqa: PLC0415

    kind = app.config.setdefault("NOTIFIER", os.environ.get("ONEDOOR_NOTIFIER", "null"))
    url = app.config.setdefault("SMS_GATEWAY_URL",
                                os.environ.get("ONEDOOR_SMS_GATEWAY_URL", "http://127.0.0.1:9347/sms"))
    secret = app.config.get("SMS_GATEWAY_SECRET") or os.environ.get("ONEDOOR_SMS_GATEWAY_SECRET")
    if not secret and kind == SMS_TARGET and app.config["ONEDOOR_ENV"] == "production":
        raise RuntimeError("ONEDOOR_SMS_GATEWAY_SECRET must be set when ONEDOOR_NOTIFIER=sms_gateway")
    app.config["SMS_GATEWAY_SECRET"] = secret or DEV_SMS_SECRET
    if kind not in ("null", SMS_TARGET):
        raise RuntimeError(f"ONEDOOR_NOTIFIER must be null or {SMS_TARGET}, not {kind!r}")
    app.extensions["onedoor.notifier"] = NullNotifier() if kind == "null" else SmsGatewayNotifier(url)
    # The outbox job (app.channels) signs each target's calls with that target's secret.
    app.extensions.setdefault("onedoor.outbox_secrets", {})[SMS_TARGET] = app.config["SMS_GATEWAY_SECRET"]
    add_listener(on_instance_synced)  # after app.cases' listener, which sets closed_at
    app.register_blueprint(bp)
