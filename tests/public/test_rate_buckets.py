"""The public-form rate limit is one upsert per bucket and window: exact under concurrency."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.public.limits import RateLimited, count_attempt, hit, window_start
from app.public.models import RateBucket
from app.unit_of_work import run_unit

LIMITS = {"sms_code": {"phone": (5, timedelta(minutes=15)), "address": (100, timedelta(hours=1))}}


def test_windows_are_fixed_and_aligned_to_the_epoch():
    now = datetime(2026, 3, 2, 9, 7, 30, tzinfo=UTC)
    assert window_start(now, timedelta(minutes=15)) == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert window_start(now, timedelta(hours=1)) == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert window_start(now + timedelta(minutes=8), timedelta(minutes=15)) == \
        datetime(2026, 3, 2, 9, 15, tzinfo=UTC)


def test_one_row_per_bucket_and_window_counts_every_attempt(app, clock):
    start = window_start(clock.now(), timedelta(minutes=15))
    assert [run_unit(lambda: count_attempt("sms_code", "phone:1", start)) for _ in range(3)] == [1, 2, 3]
    assert run_unit(lambda: count_attempt("sms_code", "phone:2", start)) == 1
    later = start + timedelta(minutes=15)
    assert run_unit(lambda: count_attempt("sms_code", "phone:1", later)) == 1
    rows = db.session.execute(select(RateBucket.bucket, RateBucket.hits).order_by(
        RateBucket.bucket, RateBucket.window_start)).all()
    assert [tuple(r) for r in rows] == [("phone:1", 3), ("phone:1", 1), ("phone:2", 1)]


def test_a_refused_attempt_is_not_counted_and_the_next_window_starts_afresh(app, clock):
    for _ in range(5):
        run_unit(lambda: hit("sms_code", {"phone": "p", "address": "a"}, clock.now(), LIMITS))
    with pytest.raises(RateLimited):
        run_unit(lambda: hit("sms_code", {"phone": "p", "address": "a"}, clock.now(), LIMITS))
    hits = dict(db.session.execute(select(RateBucket.bucket, RateBucket.hits)).all())
    assert hits == {"phone:p": 5, "address:a": 5}  # the refused sixth rolled back whole
    clock.advance(minutes=15)
    run_unit(lambda: hit("sms_code", {"phone": "p", "address": "a"}, clock.now(), LIMITS))


def _race(app, n: int, work) -> list:
    """Run `work` in n threads at once, each in its own app context, session and connection."""
    barrier, results = threading.Barrier(n), [None] * n

    def one(i: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                results[i] = run_unit(work)
            except RateLimited:
                results[i] = "refused"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.fixture
def postgresql(database, app):
    """Only on PostgreSQL: SQLite serialises writers on the whole file anyway."""
    if database[0] != "postgresql":
        pytest.skip("concurrency is proved on PostgreSQL (TEST_DATABASE_URL)")
    return app


def test_concurrent_attempts_on_postgresql_honour_the_exact_limit(postgresql, clock):
    """12 requests at once for a limit of 5: exactly 5 pass, whatever the interleaving.

    Each holds its transaction open a moment after counting, so a count-then-insert would let
    every one of them see 0 attempts and pass; the upsert makes each wait for the row lock."""
    def attempt():
        hit("sms_code", {"phone": "13912345678", "address": "10.0.0.1"}, clock.now(), LIMITS)
        time.sleep(0.05)
        return "passed"

    results = _race(postgresql, 12, attempt)
    assert results.count("passed") == 5 and results.count("refused") == 7
    hits = dict(db.session.execute(select(RateBucket.bucket, RateBucket.hits)).all())
    assert hits == {"phone:13912345678": 5, "address:10.0.0.1": 5}


def test_concurrent_counts_on_postgresql_are_numbered_without_gaps_or_repeats(postgresql, clock):
    start = window_start(clock.now(), timedelta(minutes=15))
    results = _race(postgresql, 10, lambda: count_attempt("track", "case:ZY-1", start))
    assert sorted(results) == list(range(1, 11))
