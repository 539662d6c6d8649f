"""Fixtures every test package uses, in one place (a plugin loaded by tests/conftest.py).

Helpers that are plain functions live in tests/helpers.py; row factories in tests/factories.py.
"""

import pytest

from app.api import keys
from app.extensions import db
from app.org.demo import DEFAULT_LANES
from app.org.models import Membership, Role, User
from app.unit_of_work import run_unit
from app.vocab import API_KEY_CHANNELS
from app.workflow.deploy import deploy_files, read_directories
from tests.api.conftest import Caller
from tests.processes.conftest import ROOT, Desk


@pytest.fixture
def no_csrf(app):
    """Forms posted by the test client without a CSRF token (CSRF itself is tested in tests/auth)."""
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def processes(org, clock):
    """Deploy processes/ and forms/ (lanes checked against the demo rules)."""
    files = read_directories(ROOT / "processes", ROOT / "forms")
    lanes = [lane for lane, *_ in DEFAULT_LANES]
    results = run_unit(lambda: deploy_files(files, now=clock.now(), known_lanes=lanes))
    return {d.process_id: d for d, _ in results}


@pytest.fixture
def desk(processes, org, clock):
    """A desk at the 梁家墩镇 center with the demo organisation and processes deployed."""
    return Desk(org, clock)


@pytest.fixture
def handlers(org, clock):
    """Handlers for departments the demo has no user in: username → department code (甘州区)."""
    def add():
        for username, code in (("petition", "petition"), ("housing", "housing"),
                               ("health", "health"), ("police", "police")):
            user = User(username=username, display_name=f"{code}承办人", created_at=clock.now(),
                        password_hash="-")
            db.session.add(user)
            db.session.flush()
            db.session.add(Membership(user_id=user.id, department_id=org.department(code).id,
                                      role=Role.HANDLER))
        db.session.flush()
    run_unit(add)


@pytest.fixture
def make_key(app, org, clock):
    """Create an integration key: make_key(channels=(...), units=(...), rate_limit=n)."""
    def make(channels=API_KEY_CHANNELS, units=(), rate_limit=600, name="测试集成"):
        _, secret = run_unit(lambda: keys.create_key(name, channels, units, rate_limit=rate_limit,
                                                     now=clock.now()))
        return Caller(app.test_client(), secret)
    return make


@pytest.fixture
def make_user(app, org, clock):
    """A personal token for a demo user: make_user("clerk")."""
    def make(username: str):
        _, secret = run_unit(lambda: keys.create_token(username, "测试", clock.now()))
        return Caller(app.test_client(), secret)
    return make
