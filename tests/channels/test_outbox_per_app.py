"""The outbox job signs with the secrets of the app it runs in, not of whichever app was created last."""

from app import create_app
from app.channels import OUTBOX_JOB
from app.channels.outbox.models import OutboxMessage
from app.channels.outbox.services import NullSender, enqueue
from app.channels.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from app.extensions import db
from app.unit_of_work import run_unit
from app.workflow import worker


def _enqueue(clock, key: str) -> None:
    run_unit(lambda: enqueue(target="hotline_12345", url="http://127.0.0.1:9/x", event="signed",
                             ref=key, key=key, payload={"order_id": key}, now=clock.now()))


def _run_outbox_job(clock) -> None:
    assert worker.run_jobs(clock, force=True) >= 1  # the registered job, as `flask worker` runs it


def _signed_with(sender: NullSender, secret: str) -> bool:
    (_url, body, headers), = sender.sent
    return headers[SIGNATURE_HEADER] == sign(secret, headers[TIMESTAMP_HEADER], body)


def test_two_apps_each_sign_with_their_own_secret(app, clock):
    first_sender, second_sender = NullSender(), NullSender()
    app.config.update(HOTLINE_SECRET="first-app-secret", OUTBOX_SENDER=first_sender)
    # A second app, created after the first, with another secret (the same database).
    second = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "TESTING": True,
                         "HOTLINE_SECRET": "second-app-secret", "OUTBOX_SENDER": second_sender},
                        clock=clock)
    assert OUTBOX_JOB in worker._JOBS
    try:
        _enqueue(clock, "first")
        _run_outbox_job(clock)
        assert _signed_with(first_sender, "first-app-secret") and second_sender.sent == []
        with second.app_context():
            _enqueue(clock, "second")
            _run_outbox_job(clock)
            db.session.remove()
        assert _signed_with(second_sender, "second-app-secret")
        assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.delivered_at.is_not(None))) == 2
    finally:
        with second.app_context():
            db.engine.dispose()


def test_a_secret_changed_after_start_up_is_the_one_used(app, clock):
    sender = NullSender()
    app.config.update(OUTBOX_SENDER=sender, HOTLINE_SECRET="rotated-secret")
    _enqueue(clock, "rotated")
    _run_outbox_job(clock)
    assert _signed_with(sender, "rotated-secret")
