"""Who may call the API: keys (scoped, revocable, rate-limited), personal tokens, sessions with CSRF."""

from flask import g, session
from flask_wtf.csrf import generate_csrf

from app.api import keys
from app.api.models import ApiKey, PersonalToken
from app.auth import SESSION_VERSION_KEY
from app.extensions import db
from app.org.models import User
from app.unit_of_work import run_unit
from tests.api.conftest import case_body


def test_no_credentials_is_401_json(client, org):
    response = client.get("/api/v1/cases")
    assert response.status_code == 401
    assert response.json["code"] == "unauthorized" and response.json["errors"] == {}
    assert "认证" in response.json["message"]


def test_unknown_or_malformed_credentials_are_401(client, org):
    for header in ("Bearer odk_nope", "Bearer something", "Basic abc"):
        response = client.get("/api/v1/cases", headers={"Authorization": header})
        assert response.status_code == 401, header


def test_revoked_key_is_refused_and_use_is_recorded(processes, make_key, clock):
    key = make_key()
    assert key.get("/api/v1/cases").status_code == 200
    row = db.session.scalar(db.select(ApiKey))
    assert row.last_used_at == clock.now()
    assert row.key_hash != key.secret and key.secret not in row.key_hash
    run_unit(lambda: keys.revoke_key(row.id, clock.now()))
    assert key.get("/api/v1/cases").status_code == 401


def test_key_scoped_to_channels_and_units(processes, make_key):
    grid_only = make_key(channels=("grid",))
    response = grid_only.post("/api/v1/cases", json=case_body(channel="walk_in"))
    assert response.status_code == 403 and response.json["code"] == "forbidden"
    assert grid_only.post("/api/v1/cases", json=case_body(channel="grid")).status_code == 201
    linze = make_key(units=("zy-2",))  # 临泽县
    response = linze.post("/api/v1/cases", json=case_body())
    assert response.status_code == 403
    assert linze.get("/api/v1/cases").json["total"] == 0
    assert make_key(units=("zy-1",)).get("/api/v1/cases").json["total"] == 1


def test_rate_limit_per_key_per_minute(processes, make_key, clock):
    key = make_key(rate_limit=2)
    assert [key.get("/api/v1/deployments").status_code for _ in range(2)] == [200, 200]
    limited = key.get("/api/v1/deployments")
    assert limited.status_code == 429 and limited.json["code"] == "rate_limited"
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    other = make_key(rate_limit=2)
    assert other.get("/api/v1/deployments").status_code == 200  # counted per key
    clock.advance(minutes=1)
    assert key.get("/api/v1/deployments").status_code == 200


def test_personal_token_and_cli(runner, processes, org):
    result = runner.invoke(args=["api", "token", "create", "grid"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    assert secret.startswith("odp_")
    response = runner.invoke(args=["api", "key", "create", "--name", "12345平台", "--channel",
                                   "hotline_12345", "--org-unit", "zy-1"])
    assert response.exit_code == 0, response.output
    assert "12345平台" in runner.invoke(args=["api", "key", "list"]).output
    unknown = runner.invoke(args=["api", "key", "create", "--name", "x", "--channel", "grid",
                                  "--org-unit", "nowhere"])
    assert unknown.exit_code != 0 and "nowhere" in unknown.output
    client = processes and runner.app.test_client()
    tasks = client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {secret}"})
    assert tasks.status_code == 200 and tasks.json["counts"]["todo"] == 0


def test_keys_cannot_work_tasks(processes, make_key):
    response = make_key().get("/api/v1/tasks")
    assert response.status_code == 403 and "用户身份" in response.json["message"]


def _signed_in(app, client, username: str) -> str:
    """A session for `username` and its CSRF token."""
    with app.test_request_context():
        token = generate_csrf()
        raw = session["csrf_token"]
    user = db.session.scalar(db.select(User).where(User.username == username))
    with client.session_transaction() as cookie:
        cookie.update({"_user_id": str(user.id), "_fresh": True, "csrf_token": raw,
                       SESSION_VERSION_KEY: user.session_version})
    g.pop("_login_user", None)  # tests share one app context (and so one `g`) across requests
    return token


def test_session_reads_and_csrf_protected_writes(app, client, processes):
    token = _signed_in(app, client, "clerk")
    assert client.get("/api/v1/cases").status_code == 200
    refused = client.post("/api/v1/cases", json=case_body())
    assert refused.status_code == 400, refused.data
    assert refused.json["code"] == "csrf_failed"
    created = client.post("/api/v1/cases", json=case_body(), headers={"X-CSRFToken": token})
    assert created.status_code == 201, created.json


def test_personal_token_use_is_recorded_to_the_minute(processes, make_user, clock):
    clerk = make_user("clerk")
    first = clock.now()
    assert clerk.get("/api/v1/cases").status_code == 200
    clock.advance(seconds=30)
    assert clerk.get("/api/v1/cases").status_code == 200
    db.session.expire_all()
    assert db.session.scalar(db.select(PersonalToken)).last_used_at == first  # no write per request
    clock.advance(seconds=31)
    assert clerk.get("/api/v1/cases").status_code == 200
    db.session.expire_all()
    assert db.session.scalar(db.select(PersonalToken)).last_used_at == clock.now()
