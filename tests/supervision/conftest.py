"""Fixtures for supervision tests: the real processes deployed, a desk, the deadline sweep."""

import pytest

from app.supervision import policies
from app.supervision.notices import sweep_deadlines
from app.unit_of_work import run_unit
from tests.api.conftest import make_key, make_user  # noqa: F401 - re-exported fixtures
from tests.processes.conftest import desk, handlers, processes  # noqa: F401 - re-exported fixtures


@pytest.fixture
def no_csrf(app):
    """Forms posted by the test client without a CSRF token."""
    app.config["WTF_CSRF_ENABLED"] = False


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
