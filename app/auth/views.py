"""Sign-in, sign-out and switching the scope (department or post) one works in."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from marshmallow import Schema, ValidationError, fields, validate

from app.auth import SESSION_VERSION_KEY, SessionUser
from app.auth.services import authenticate, end_sessions, scopes_of
from app.extensions import db
from app.org.models import User
from app.unit_of_work import run_unit

bp = Blueprint("auth", __name__)


class LoginSchema(Schema):
    """The sign-in form."""

    username = fields.String(required=True, validate=validate.Length(min=1, max=64),
                             error_messages={"required": "请输入用户名"})
    password = fields.String(required=True, validate=validate.Length(min=1, max=128),
                             error_messages={"required": "请输入密码"})


def _is_local_path(target: str) -> bool:
    """A path on this site: no scheme, no host, no control characters or backslashes
    (browsers drop tabs and newlines and read a backslash as "/": "/<tab>/evil" is "//evil")."""
    if not target.startswith("/") or any(ch < " " or ch in "\x7f\\" for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and not target.startswith("//")


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after sign-in."""
    if target and _is_local_path(target):
        return target
    return url_for("home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form; sign the user in."""
    errors: dict = {}
    if request.method == "POST":
        try:
            data = LoginSchema().load(request.form.to_dict(), unknown="exclude")
        except ValidationError as exc:
            errors = exc.messages
        else:
            attempt = run_unit(lambda: authenticate(
                data["username"], data["password"], address=request.remote_addr or "",
                now=current_app.extensions["onedoor.clock"].now()))
            if attempt.user is not None:
                _start_session(attempt.user)
                return redirect(_safe_next(request.args.get("next")))
            if attempt.throttled:
                return _login_page({"_form": [attempt.throttled]}, 429,
                                   {"Retry-After": str(attempt.retry_after)})
            errors = {"_form": ["用户名或密码不正确"]}
    return _login_page(errors, 200 if not errors else 400)


def _login_page(errors: dict, status: int, headers: dict | None = None):
    return render_template("auth/login.html", errors=errors,
                           username=request.form.get("username", "")), status, headers or {}


def _start_session(user: User) -> None:
    """A fresh session (no data carried over from before sign-in) bound to the user's version."""
    session.clear()
    login_user(SessionUser(user))
    session.permanent = True
    session[SESSION_VERSION_KEY] = user.session_version
    session["scope"] = None


@bp.post("/logout")
@login_required
def logout():
    """Sign out: end the user's sessions server-side (a copied cookie stops working) and forget this one."""
    user_id = int(current_user.id)
    run_unit(lambda: end_sessions(db.session.get(User, user_id)))
    logout_user()
    session.clear()
    flash("您已退出登录")
    return redirect(url_for("auth.login"))


@bp.post("/scope")
@login_required
def switch_scope():
    """Work as another of one's departments or posts."""
    wanted = request.form.get("membership_id", type=int)
    if wanted == 0:
        session["scope"] = None
    elif wanted not in {s.membership_id for s in scopes_of(current_user.id)}:
        flash("无法切换到该岗位")
    else:
        session["scope"] = wanted
    return redirect(_safe_next(request.form.get("next")))
