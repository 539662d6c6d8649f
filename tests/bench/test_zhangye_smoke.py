"""A few days of bench/zhangye.py at a tiny scale: the replay runs end to end and its invariants hold.

On SQLite in this process; with TEST_DATABASE_URL on a throw-away PostgreSQL database with two
simulating OS processes (the barrier and the worker's SKIP LOCKED batches).
"""

import os

import pytest

from app.calendar import store as calendar_store
from app.workflow import registry
from bench import zhangye
from bench.common import throwaway_postgres


@pytest.fixture
def fresh_caches():
    """Parsed deployments and the working-day table are cached per process: not across databases."""
    registry.clear()
    calendar_store.SOURCE.forget()
    yield
    registry.clear()
    calendar_store.SOURCE.forget()


def _replay(url: str, processes: int) -> zhangye.Outcome:
    return zhangye.main(["--scale", "0.015", "--days", "10", "--processes", str(processes),
                         "--database-url", url, "--no-append"])


def _check(outcome: zhangye.Outcome) -> None:
    assert outcome.checks == dict.fromkeys(outcome.checks, 0)
    assert outcome.counts["cases"] >= 5
    assert outcome.counts["tasks completed"] >= 15
    assert outcome.counts["timers fired (audit)"] > 0
    assert outcome.counts["grid reports"] > 0
    year = outcome.figures["year"]["counts"]
    assert year["received"] == outcome.counts["cases"]
    assert 0 < year["resolved"] <= year["received"]
    assert outcome.db_bytes > 0


def test_a_few_days_replay_cleanly(tmp_path, fresh_caches):
    admin = os.environ.get("TEST_DATABASE_URL", "")
    if admin.startswith("postgres"):
        with throwaway_postgres(admin) as url:
            _check(_replay(url, processes=2))
    else:
        _check(_replay(f"sqlite:///{tmp_path / 'zhangye.sqlite3'}", processes=1))
