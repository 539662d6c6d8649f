"""Sign-in, sign-out and switching the scope (department or post) one works in."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from marshmallow import Schema, ValidationError, fields, validate

from app.auth import SessionUser
from app.auth.services import authenticate, scopes_of

bp = Blueprint("auth", __name__)


class LoginSchema(Schema):
    """The sign-in form."""

    username = fields.String(required=True, validate=validate.Length(min=1, max=64),
                             error_messages={"required": "请输入用户名"})
    password = fields.String(required=True, validate=validate.Length(min=1, max=128),
                             error_messages={"required": "请输入密码"})


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after sign-in."""
    if target and target.startswith("/") and not target.startswith("//"):
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
            user = authenticate(data["username"], data["password"])
            if user is not None:
                session.clear()
                login_user(SessionUser(user))
                session.permanent = True
                session["scope"] = None
                return redirect(_safe_next(request.args.get("next")))
            errors = {"_form": ["用户名或密码不正确"]}
    return render_template("auth/login.html", errors=errors,
                           username=request.form.get("username", "")), 200 if not errors else 400


@bp.post("/logout")
@login_required
def logout():
    """Sign out and forget the session."""
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
