"""Channels (渠道): 12345 work orders, grid reports, referrals, duplicates and the outbox."""

from datetime import timedelta

from flask import Flask

OUTBOX_JOB = "channels.outbox"


def init_app(app: Flask) -> None:
    """Channel settings, the process listener and the outbox delivery job."""
    from app.channels.listeners import on_instance_synced  # noqa: PLC0415
    from app.channels.outbox.services import HttpSender, deliver_due  # noqa: PLC0415
    from app.channels.settings import load_settings, secret_for  # noqa: PLC0415
    from app.workflow.sync import add_listener  # noqa: PLC0415
    from app.workflow.worker import register_job  # noqa: PLC0415

    load_settings(app)
    add_listener(on_instance_synced)
    secrets = {target: secret_for(app.config, target) for target in
               ("hotline_12345", "referral_police", "referral_petition", "referral_court")}
    secrets.update(app.extensions.get("onedoor.outbox_secrets", {}))  # e.g. app.notify's SMS gateway
    sender = app.config.get("OUTBOX_SENDER") or HttpSender()
    register_job(OUTBOX_JOB, timedelta(seconds=10),
                 lambda clock: deliver_due(clock, sender, secrets.__getitem__))
