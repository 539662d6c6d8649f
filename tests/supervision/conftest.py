"""Fixtures for supervision tests: the real processes deployed, a desk, the deadline sweep."""

import pytest

from app.supervision import policies
from app.supervision.notices import sweep_deadlines
from app.unit_of_work import run_unit


@pytest.fixture(autouse=True)
def fresh_policies():
    """No cached deadline policies leak between tests."""
    policies.invalidate()
    yield
    policies.invalidate()


@pytest.fixture
def sweep(clock):
    """Run the deadline job once at a given moment (or now); return its counts."""
    def run(moment=None):
        if moment is not None:
            clock.set(moment)
        return run_unit(lambda: sweep_deadlines(clock))
    return run
