"""修改密码: every user's own page, and the forced change after a reset or a shared password."""

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, user_logged_in

from app.admin.passwords import PasswordPolicy, change_own_password, flag_shared_password
from app.errors import ValidationFailed
from app.extensions import db
from app.org.models import User
from app.unit_of_work import run_unit

bp = Blueprint("account", __name__, url_prefix="/account")
# What a user who must change their password may still open.
OPEN_WHILE_FORCED = frozenset({"account.password", "auth.logout", "auth.login", "static", "favicon"})


def policy() -> PasswordPolicy:
    """The password policy from configuration (code defaults otherwise)."""
    config = current_app.config
    default = PasswordPolicy()
    return PasswordPolicy(min_length=config.get("ONEDOOR_PASSWORD_MIN_LENGTH", default.min_length),
                          min_classes=config.get("ONEDOOR_PASSWORD_MIN_CLASSES", default.min_classes),
                          history=config.get("ONEDOOR_PASSWORD_HISTORY", default.history))


def _now():
    return current_app.extensions["onedoor.clock"].now()


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Choose a new password (the current one, twice the new one)."""
    errors: dict = {}
    if request.method == "POST":
        form = request.form
        try:
            user = run_unit(lambda: change_own_password(int(current_user.id), form.get("current", ""),
                                                        form.get("new", ""), form.get("confirm", ""),
                                                        now=_now(), policy=policy()))
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            _keep_this_session(user)
            flash("密码已修改")
            return redirect(url_for("home"))
    user = db.session.get(User, int(current_user.id))
    return render_template("admin/password.html", errors=errors, policy=policy(),
                           forced=user.must_change_password), 400 if errors else 200


def _keep_this_session(user: User) -> None:
    """A password change ends the user's sessions everywhere (end_sessions); the one that made
    the change carries on, re-stamped with the new session version when sessions have one."""
    from app import auth  # noqa: PLC0415

    key = getattr(auth, "SESSION_VERSION_KEY", None)
    if key is not None and hasattr(user, "session_version"):
        session[key] = user.session_version


def _force_change():
    """Until a reset or shared password is replaced, every page leads to 修改密码."""
    if not current_user.is_authenticated or request.endpoint in OPEN_WHILE_FORCED:
        return None
    if request.path.startswith("/api/"):
        return None
    user = g.get("signed_in_user_row") or db.session.get(User, int(current_user.id))
    if user is not None and user.must_change_password:
        return redirect(url_for("account.password"))
    return None


def _flag_shared_password(app: Flask, user, **_signal) -> None:
    """In production, signing in with the demo's shared password forces a change at once."""
    from app.org.demo import DEMO_PASSWORD  # noqa: PLC0415

    if app.config["ONEDOOR_ENV"] != "production" or request.form.get("password") != DEMO_PASSWORD:
        return
    run_unit(lambda: flag_shared_password(db.session.get_one(User, int(user.id)), _now()))


def init_app(app: Flask) -> None:
    """The password page, the forced-change guard and the shared-password check at sign-in."""
    app.register_blueprint(bp)
    app.before_request(_force_change)
    user_logged_in.connect(_flag_shared_password, app)
