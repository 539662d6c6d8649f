"""Auth fixtures: CSRF off for form posts (CSRF itself is tested in tests/functional), a live server."""

import pytest
import requests

from app.org.demo import DEMO_PASSWORD
from tests.live import live_url  # noqa: F401


@pytest.fixture(autouse=True)
def no_csrf(app):
    """Post forms without a CSRF token."""
    app.config["WTF_CSRF_ENABLED"] = False


def browser_session(base: str, username: str | None = None) -> requests.Session:
    """A requests session against the live server, signed in as `username` when given."""
    web = requests.Session()
    if username:
        response = web.post(f"{base}/login", data={"username": username, "password": DEMO_PASSWORD},
                            allow_redirects=False, timeout=30)
        assert response.status_code == 302, response.text
    return web


def status(web: requests.Session, url: str, method: str = "GET") -> int:
    """The status code of one request, redirects not followed."""
    return web.request(method, url, allow_redirects=False, timeout=30).status_code
