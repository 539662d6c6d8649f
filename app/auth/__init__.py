"""Sign-in, sessions and CSRF protection for the web pages."""

from datetime import timedelta

from flask import Flask, g, session
from flask_login import LoginManager, UserMixin
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from app.extensions import db
from app.org.models import User

login_manager = LoginManager()
csrf = CSRFProtect()
SESSION_VERSION_KEY = "sv"
IDLE_TIMEOUT = timedelta(hours=8)


class SessionUser(UserMixin):
    """What Flask-Login keeps for a signed-in user: just the id and a display name."""

    def __init__(self, user: User):
        self.id = user.id
        self.display_name = user.display_name


@login_manager.user_loader
def _load_user(user_id: str) -> SessionUser | None:
    user = db.session.get(User, int(user_id))
    # Held for the request: the session's identity map is weak, and the page reads this row
    # again (the actor, the bell); holding it saves those queries.
    g.signed_in_user_row = user
    if user is None or not user.active or session.get(SESSION_VERSION_KEY) != user.session_version:
        return None  # signed out elsewhere, password changed, or a cookie from before either
    return SessionUser(user)


def init_app(app: Flask) -> None:
    """Session cookie settings, Flask-Login, CSRF and the auth views (rules: docs/security.md)."""
    production = app.config["ONEDOOR_ENV"] == "production"
    # Flask defines these keys itself (31 days, no SameSite, not Secure), so setdefault would
    # never apply ours: set them. The lifetime is the idle timeout: the cookie is re-issued on
    # every request and Flask refuses a signature older than the lifetime.
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_SECURE=production, PERMANENT_SESSION_LIFETIME=IDLE_TIMEOUT,
                      SESSION_REFRESH_EACH_REQUEST=True)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    if app.config.get("PROXY_FIX_X_FOR"):
        # Behind a reverse proxy the client address (per-address sign-in throttle) is in
        # X-Forwarded-For; trust exactly as many hops as there are proxies.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way
            app.wsgi_app, x_for=int(app.config["PROXY_FIX_X_FOR"]))
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.init_app(app)
    csrf.init_app(app)

    from app.auth.views import bp  # noqa: PLC0415

    app.register_blueprint(bp)
