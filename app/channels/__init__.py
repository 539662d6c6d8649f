"""Channels (渠道): 12345 work orders, grid reports, referrals, duplicates and the outbox."""

from datetime import timedelta

from flask import Flask, current_app

from app.clock import Clock

OUTBOX_JOB = "channels.outbox"
OUTBOX_TARGETS = ("hotline_12345", "referral_police", "referral_petition", "referral_court")


def init_app(app: Flask) -> None:
    """Channel settings, the process listener and the outbox delivery job."""
    from app.channels.listeners import on_instance_synced  # noqa: PLC0415
    from app.channels.settings import load_settings  # noqa: PLC0415
    from app.workflow.sync import add_listener  # noqa: PLC0415
    from app.workflow.worker import register_job  # noqa: PLC0415

    load_settings(app)
    add_listener(on_instance_synced)
    register_job(OUTBOX_JOB, timedelta(seconds=10), deliver_outbox)


def outbox_secret(app: Flask, target: str) -> str:
    """The HMAC secret of a callback target, from `app`'s own settings (KeyError when unknown)."""
    from app.channels.settings import secret_for  # noqa: PLC0415

    extra = app.extensions.get("onedoor.outbox_secrets", {})  # e.g. app.notify's SMS gateway
    if target in extra:
        return extra[target]
    if target not in OUTBOX_TARGETS:
        raise KeyError(target)
    return secret_for(app.config, target)


def deliver_outbox(clock: Clock) -> object:
    """The worker job: deliver due callbacks signed with the secrets of the app it runs in."""
    from app.channels.outbox.services import HttpSender, deliver_due  # noqa: PLC0415

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    sender = app.config.get("OUTBOX_SENDER") or app.extensions.setdefault("onedoor.outbox_sender",
                                                                          HttpSender())
    return deliver_due(clock, sender, lambda target: outbox_secret(app, target))
