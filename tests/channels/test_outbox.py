"""The outbox: signed callbacks, retries with backoff, nothing sent twice."""

from app.channels.outbox.models import OutboxMessage
from app.channels.outbox.services import MAX_ATTEMPTS, NullSender, backoff, enqueue
from app.extensions import db
from app.unit_of_work import run_unit


def _enqueue(clock, url: str, key: str = "12345:A:1:signed"):
    return run_unit(lambda: enqueue(target="hotline_12345", url=url, event="signed", ref="A",
                                    key=key, payload={"order_id": "A"}, now=clock.now()))


def test_enqueue_is_idempotent(org, clock):
    first = _enqueue(clock, "http://127.0.0.1:1/x")
    assert _enqueue(clock, "http://127.0.0.1:1/x").id == first.id
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)) == 1


def test_a_refused_callback_is_retried_with_backoff(org, clock, platform, deliver):
    _enqueue(clock, platform.url)
    platform.fail_next = 1
    assert deliver().failed == 1
    row = db.session.scalar(db.select(OutboxMessage))
    assert (row.attempts, row.delivered_at) == (1, None) and "503" in row.last_error
    assert row.next_attempt_at == clock.now() + backoff(1)
    assert deliver().delivered == 0  # not due yet
    clock.advance(seconds=31)
    assert deliver().delivered == 1
    assert [p["order_id"] for p in platform.received] == ["A"]
    assert platform.received[0]["idempotency_key"] == "12345:A:1:signed"
    clock.advance(hours=1)
    assert deliver().delivered == 0


def test_an_unreachable_target_gives_up_after_max_attempts(org, clock, deliver):
    _enqueue(clock, "http://127.0.0.1:9/unreachable")
    for _ in range(MAX_ATTEMPTS):
        deliver()
        clock.advance(hours=7)
    row = db.session.scalar(db.select(OutboxMessage))
    assert (row.attempts, row.next_attempt_at, row.delivered_at) == (MAX_ATTEMPTS, None, None)
    assert backoff(1).total_seconds() == 30 and backoff(20).total_seconds() == 6 * 3600


def test_the_null_sender_records(org, clock, deliver):
    _enqueue(clock, "http://nowhere.invalid/")
    sender = NullSender()
    assert deliver(sender).delivered == 1
    [(url, body, headers)] = sender.sent
    assert url == "http://nowhere.invalid/" and b'"order_id": "A"' in body
    assert len(headers["X-OneDoor-Signature"]) == 64


def test_the_worker_job_is_registered(app):
    from app.channels import OUTBOX_JOB  # noqa: PLC0415
    from app.workflow.worker import _JOBS  # noqa: PLC0415

    assert OUTBOX_JOB in _JOBS
