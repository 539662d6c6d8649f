"""Notifications: the null notifier writes the admin's table; the SMS gateway goes through the outbox."""

import pytest
from sqlalchemy import func, select

from app import create_app
from app.channels import OUTBOX_JOB
from app.channels.outbox.models import OutboxMessage
from app.extensions import db
from app.notify import DEV_SMS_SECRET
from app.notify.models import Notification
from app.notify.services import Message, NullNotifier, SmsGatewayNotifier
from app.unit_of_work import run_unit
from app.workflow.worker import _JOBS
from tests.channels.conftest import FakePlatform
from tests.helpers import sign_in

CODE = Message(kind="sms_code", recipient="13912345678", text="您的验证码为 123456，10 分钟内有效。",
               key="sms_code:abc")


def test_the_null_notifier_writes_a_row_once(app, clock):
    notifier = app.extensions["onedoor.notifier"]
    assert isinstance(notifier, NullNotifier)
    first = run_unit(lambda: notifier.send(CODE, clock.now()))
    again = run_unit(lambda: notifier.send(CODE, clock.now()))
    assert first.id == again.id and first.transport == "null" and first.outbox_message_id is None
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_only_admins_read_the_notifications(app, client, org, clock):
    app.config["WTF_CSRF_ENABLED"] = False
    run_unit(lambda: NullNotifier().send(CODE, clock.now()))
    sign_in(client, "clerk")
    assert client.get("/notify/").status_code == 403
    client.delete_cookie("session")
    sign_in(client, "admin")
    page = client.get("/notify/").get_data(as_text=True)
    assert "13912345678" in page and "您的验证码为 123456" in page and "仅记录" in page


@pytest.fixture
def gateway(app):
    """A fake SMS gateway on 127.0.0.1 that checks the HMAC; the app's notifier points at it."""
    fake = FakePlatform(DEV_SMS_SECRET)
    fake.thread.start()
    app.extensions["onedoor.notifier"] = SmsGatewayNotifier(fake.url)
    yield fake
    fake.server.shutdown()
    fake.thread.join(timeout=5)


def test_the_sms_gateway_is_signed_and_retried_through_the_outbox(app, org, clock, gateway):
    notifier = app.extensions["onedoor.notifier"]
    row = run_unit(lambda: notifier.send(CODE, clock.now()))
    assert row.transport == "sms_gateway" and row.outbox_message_id is not None
    gateway.fail_next = 1
    job = _JOBS[OUTBOX_JOB]  # the worker's real job: its HTTP sender and its secrets
    run_unit(lambda: job.run(clock))
    assert gateway.rejected == ["busy"] and gateway.received == []
    clock.advance(seconds=31)
    run_unit(lambda: job.run(clock))
    [sent] = gateway.received
    assert sent["to"] == "13912345678" and "123456" in sent["text"]
    assert sent["idempotency_key"] == "sms:sms_code:abc"
    clock.advance(hours=1)
    run_unit(lambda: job.run(clock))
    assert len(gateway.received) == 1  # delivered once, never again


def test_a_wrong_gateway_secret_is_refused_by_the_gateway(app, org, clock, gateway):
    gateway.secret = "another-secret"
    run_unit(lambda: app.extensions["onedoor.notifier"].send(CODE, clock.now()))
    run_unit(lambda: _JOBS[OUTBOX_JOB].run(clock))
    assert gateway.rejected == ["bad signature"]
    row = db.session.scalar(select(OutboxMessage))
    assert row.delivered_at is None and "401" in row.last_error


def test_config_picks_the_notifier(tmp_path):
    uri = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "NOTIFIER": "sms_gateway",
                      "SMS_GATEWAY_URL": "http://127.0.0.1:18801/sms"})
    notifier = app.extensions["onedoor.notifier"]
    assert isinstance(notifier, SmsGatewayNotifier) and notifier.url == "http://127.0.0.1:18801/sms"
    with pytest.raises(RuntimeError, match="ONEDOOR_NOTIFIER"):
        create_app({"SQLALCHEMY_DATABASE_URI": uri, "NOTIFIER": "carrier-pigeon"})
    with pytest.raises(RuntimeError, match="SMS_GATEWAY_SECRET"):
        create_app({"SQLALCHEMY_DATABASE_URI": uri, "NOTIFIER": "sms_gateway", "ONEDOOR_ENV": "production",
                    "SECRET_KEY": "x", "HOTLINE_SECRET": "h", "REFERRAL_SECRET": "r"})
