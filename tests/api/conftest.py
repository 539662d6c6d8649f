"""API fixtures: the real processes deployed, an integration key, a user's personal token."""

import pytest

from app.api import keys
from app.unit_of_work import run_unit
from tests.processes.conftest import Desk, desk, handlers, intake, processes  # noqa: F401

GRID = "zy-1-1-1-1"


class Caller:
    """Headers for one credential, and helpers to call the API with them."""

    def __init__(self, client, secret: str):
        self.client, self.secret = client, secret

    @property
    def headers(self) -> dict:
        """The Authorization header."""
        return {"Authorization": f"Bearer {self.secret}"}

    def get(self, url: str, **kwargs):
        """GET with the credential."""
        return self.client.get(url, headers=self.headers, **kwargs)

    def post(self, url: str, json=None, **kwargs):
        """POST JSON with the credential."""
        return self.client.post(url, json=json, headers=self.headers, **kwargs)


@pytest.fixture
def make_key(app, org, clock):
    """Create an integration key: make_key(channels=(...), units=(...), rate_limit=n)."""
    def make(channels=keys.CHANNELS, units=(), rate_limit=600, name="测试集成"):
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


def case_body(**overrides) -> dict:
    """A valid POST /cases body at GRID."""
    body = {**intake(), "org_unit": GRID}
    body.update(overrides)
    return body
