"""Who is calling the API: an integration key, a personal token, or a signed-in session.

Keys and tokens come as `Authorization: Bearer <secret>` and need no CSRF token;
a session cookie works too, but its writes must carry the `X-CSRFToken` header.
"""

from dataclasses import dataclass

from flask import current_app, g, request
from flask_login import current_user

from app.api import keys
from app.api.errors import RateLimited, Unauthorized
from app.auth import csrf
from app.channels.scope import EVERYWHERE, Scope
from app.errors import Forbidden
from app.org.models import Role
from app.org.services import Actor, department_unit_ids, load_actor
from app.unit_of_work import run_unit

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
DEFAULT_MAX_BODY = 256 * 1024


@dataclass(frozen=True)
class Principal:
    """The caller: a user (session or token) with an Actor, or an integration key."""

    kind: str  # "key" | "token" | "session"
    scope: Scope
    actor: Actor | None = None
    key_id: int | None = None
    key_name: str | None = None

    @property
    def label(self) -> str:
        """Who to name in the audit trail."""
        return self.actor.label if self.actor else f"接口:{self.key_name}"


def _clock():
    return current_app.extensions["onedoor.clock"]


def user_scope(actor: Actor) -> Scope:
    """A user's org scope for channel intake and aggregate figures: the units of their posts and
    of their departments; admins everywhere. Which cases a user may see is not this, but
    `app.cases.access.listed_condition` (the web's rule)."""
    if actor.has_role(Role.ADMIN):
        return EVERYWHERE
    units = {unit for unit, _ in actor.unit_roles} | department_unit_ids(actor.department_ids)
    return Scope(channels=None, unit_ids=frozenset(units))


def _from_bearer(secret: str) -> Principal:
    now = _clock().now()
    if secret.startswith(keys.KEY_PREFIX):
        key = keys.find_key(secret)
        if key is None:
            raise Unauthorized("API 密钥无效或已吊销")
        count = run_unit(lambda: keys.hit(key.id, now))
        if count > key.rate_limit:
            raise RateLimited("请求过于频繁，请稍后再试", 60 - now.second)
        return Principal("key", Scope(frozenset(key.channels),
                                      frozenset(key.org_unit_ids) if key.org_unit_ids else None),
                         key_id=key.id, key_name=key.name)
    if secret.startswith(keys.TOKEN_PREFIX):
        use = keys.token_actor(secret, now)  # token, user and memberships in one SELECT
        if use is None:
            raise Unauthorized("个人令牌无效或已吊销")
        if use.stale:  # at most once a minute, in a transaction of its own
            run_unit(lambda: keys.touch_token(use.token_id, now))
        return Principal("token", user_scope(use.actor), actor=use.actor)
    raise Unauthorized("无法识别的凭证")


def authenticate() -> None:
    """before_request of every authenticated API blueprint: set `g.principal`, enforce limits."""
    request.max_content_length = current_app.config.get("API_MAX_BODY", DEFAULT_MAX_BODY)
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        g.principal = _from_bearer(header[len("Bearer "):].strip())
        return
    if header:
        raise Unauthorized("Authorization 请求头格式应为 Bearer <密钥>")
    if current_user.is_authenticated:
        if request.method not in SAFE_METHODS:
            csrf.protect()
        actor = load_actor(int(current_user.id))
        g.principal = Principal("session", user_scope(actor), actor=actor)
        return
    raise Unauthorized("未认证：请提供有效的 API 密钥、个人令牌或登录会话")


def principal() -> Principal:
    """The authenticated caller of this request."""
    return g.principal


def require_user() -> Actor:
    """The calling user's Actor; integration keys are refused (tasks belong to people)."""
    actor = principal().actor
    if actor is None:
        raise Forbidden("该操作需要用户身份（登录会话或个人令牌），API 密钥不能办理任务")
    return actor
