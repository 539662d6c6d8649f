"""接口密钥 pages: integration keys and personal tokens."""

from flask import render_template, request

from app.admin import credentials
from app.admin.views import bp, citywide, now, submit
from app.errors import ValidationFailed
from app.ui import current_actor
from app.unit_of_work import run_unit
from app.vocab import API_KEY_CHANNELS


def _page(errors=None, message=None, secret=None):
    citywide()
    return render_template("admin/keys.html", keys=credentials.all_keys(),
                           tokens=credentials.all_tokens(), channels=API_KEY_CHANNELS,
                           errors=errors or {}, message=message,
                           secret=secret, form=request.form)


@bp.get("/keys", endpoint="keys")
def keys_page():
    """Keys and tokens with their scope and last use."""
    return _page()


def _create(work):
    try:
        _, secret = run_unit(work)
    except ValidationFailed as exc:
        return _page(errors=exc.errors, message=exc.message), 422
    return _page(secret=secret)


@bp.post("/keys")
def key_create():
    """Create an integration key (the secret is shown once)."""
    citywide()
    form = request.form
    return _create(lambda: credentials.create_key(
        form.get("name", ""), form.getlist("channels"), form.get("org_units", ""),
        form.get("rate_limit", ""), actor=current_actor(), now=now()))


@bp.post("/keys/<int:key_id>/revoke")
def key_revoke(key_id: int):
    """Revoke a key."""
    citywide()
    return submit(lambda: credentials.revoke_key(key_id, actor=current_actor(), now=now()),
                  "已吊销该密钥", _page)


@bp.post("/tokens")
def token_create():
    """Create a personal token for a user."""
    citywide()
    form = request.form
    return _create(lambda: credentials.create_token(form.get("username", ""), form.get("token_name", ""),
                                                    actor=current_actor(), now=now()))


@bp.post("/tokens/<int:token_id>/revoke")
def token_revoke(token_id: int):
    """Revoke a personal token."""
    citywide()
    return submit(lambda: credentials.revoke_token(token_id, actor=current_actor(), now=now()),
                  "已吊销该令牌", _page)

