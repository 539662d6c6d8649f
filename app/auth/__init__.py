"""Sign-in, sessions and CSRF protection for the web pages."""

from datetime import timedelta

from flask import Flask, g
from flask_login import LoginManager, UserMixin
from flask_wtf.csrf import CSRFProtect

from app.extensions import db
from app.org.models import User

login_manager = LoginManager()
csrf = CSRFProtect()


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
    return SessionUser(user) if user is not None and user.active else None


def init_app(app: Flask) -> None:
    """Session cookie settings, Flask-Login, CSRF and the auth views."""
    production = app.config["ONEDOOR_ENV"] == "production"
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("SESSION_COOKIE_SECURE", production)
    app.config.setdefault("PERMANENT_SESSION_LIFETIME", timedelta(hours=8))
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.init_app(app)
    csrf.init_app(app)

    from app.auth.views import bp  # noqa: PLC0415

    app.register_blueprint(bp)
