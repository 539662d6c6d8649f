"""Sign-in redirects, cookie settings, sessions that end server-side, idle expiry."""

import time

import itsdangerous.timed
import pytest
from sqlalchemy import select

from app import create_app
from app.auth.services import end_sessions
from app.extensions import db
from app.org.models import User
from app.unit_of_work import run_unit
from tests.auth.conftest import browser_session, status
from tests.helpers import post_sign_in


@pytest.mark.parametrize("payload", [
    "/%09/evil.example/phish", "//evil.example", "/\\evil.example", "/%0a/evil.example",
    "https://evil.example/", "/%5C%5Cevil.example", "///evil.example", "/%0d%0a/evil", "javascript:alert(1)",
])
def test_sign_in_never_redirects_off_site(client, org, payload):
    response = post_sign_in(client, "clerk", next_url=payload)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//")
    assert "evil" not in location and "javascript" not in location


def test_sign_in_follows_a_local_next(client, org):
    local = "/cases/?q=%E5%BC%A0"
    assert post_sign_in(client, "clerk", next_url=local).headers["Location"] == local


def test_production_cookie_attributes(database_uri, org, monkeypatch):
    monkeypatch.setenv("ONEDOOR_ENV", "production")
    for name in ("SECRET_KEY", "ONEDOOR_HOTLINE_SECRET", "ONEDOOR_REFERRAL_SECRET"):
        monkeypatch.setenv(name, "a-test-secret-for-production-mode")
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_uri.replace(
        "postgresql://", "postgresql+psycopg://"), "TESTING": True, "WTF_CSRF_ENABLED": False})
    assert app.config["ONEDOOR_ENV"] == "production"
    with app.app_context():
        response = post_sign_in(app.test_client(), "clerk")
        db.session.remove()
        db.engine.dispose()
    cookie = response.headers["Set-Cookie"]
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"secure", "httponly", "expires"} <= attributes
    assert "SameSite=Lax" in cookie
    expires = [p for p in cookie.split(";") if p.strip().lower().startswith("expires")][0]
    from email.utils import parsedate_to_datetime  # noqa: PLC0415
    lifetime = parsedate_to_datetime(expires.split("=", 1)[1]).timestamp() - time.time()
    assert 7.9 * 3600 < lifetime <= 8 * 3600 + 5


def test_development_cookie_is_not_secure_but_lax_and_8_hours(app, client, org):
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 8 * 3600
    assert "SameSite=Lax" in post_sign_in(client, "clerk").headers["Set-Cookie"]


def _copy(base, web):
    """A second browser holding a copy of `web`'s session cookie."""
    thief = browser_session(base)
    thief.cookies.set("session", web.cookies["session"])
    return thief


def test_cookie_replayed_after_logout_is_refused(live_url, org):
    web = browser_session(live_url, "clerk")
    thief = _copy(live_url, web)
    assert status(thief, f"{live_url}/") == 200
    assert status(thief, f"{live_url}/api/v1/tasks") == 200
    assert status(web, f"{live_url}/logout", "POST") == 302
    assert status(thief, f"{live_url}/") == 302  # to the sign-in page
    assert status(thief, f"{live_url}/api/v1/tasks") == 401


def test_password_change_ends_sessions(live_url, org):
    web = browser_session(live_url, "clerk")
    assert status(web, f"{live_url}/") == 200
    run_unit(lambda: end_sessions(db.session.scalar(select(User).where(User.username == "clerk"))))
    assert status(web, f"{live_url}/") == 302
    assert status(web, f"{live_url}/api/v1/tasks") == 401
    again = browser_session(live_url, "clerk")  # signing in again works
    assert status(again, f"{live_url}/") == 200


def test_session_expires_after_8_hours_idle(live_url, org, monkeypatch):
    web = browser_session(live_url, "clerk")
    real = itsdangerous.timed.TimestampSigner.get_timestamp
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp",
                        lambda self: real(self) + 7 * 3600)
    assert status(web, f"{live_url}/") == 200  # 7 h idle: still in, cookie re-issued
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp",
                        lambda self: real(self) + 7 * 3600 + 8 * 3600 + 60)
    assert status(web, f"{live_url}/") == 302  # 8 h 1 min after the last request
