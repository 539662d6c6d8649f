"""/notify/: the notifications sent (or, with the null notifier, only recorded), for admins."""

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from app.errors import Forbidden
from app.notify.services import KIND_LABELS, recent
from app.org.models import Role
from app.ui import current_actor

bp = Blueprint("notify", __name__, url_prefix="/notify")


@bp.before_request
def _admins_only():
    """Sign-in first; then administrators only (the list holds phone numbers and codes)."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not current_actor().has_role(Role.ADMIN):
        raise Forbidden("只有管理员可以查看短信与通知记录")
    return None


@bp.get("/")
def index():
    """The newest 200 notifications."""
    return render_template("notify/index.html", rows=recent(), kinds=KIND_LABELS,
                           transports={"null": "仅记录（未接短信网关）", "sms_gateway": "短信网关"})
