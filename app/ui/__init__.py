"""What every page shares: the signed-in actor, scope switching, filters and error pages."""

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, render_template, request, session
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from app.auth.services import scopes_of
from app.errors import OneDoorError
from app.extensions import db
from app.org.models import Membership, User
from app.org.services import Actor, load_actor

LOCAL = ZoneInfo("Asia/Shanghai")
# Top navigation; an entry shows only when its area is installed.
NAV = [("inbox.index", "我的待办"), ("cases.index", "案件"), ("supervision.overdue", "督办"),
       ("reports.index", "报表"), ("designer.index", "流程设计"), ("dashboard.index", "态势大屏")]
log = logging.getLogger("onedoor.access")


def current_actor() -> Actor:
    """The signed-in user's Actor, loaded once per request."""
    user_id = int(current_user.id)
    actor = g.get("actor")
    if actor is None or actor.user_id != user_id:
        # keyed by user: tests reuse one app context (and so one `g`) across requests
        actor = g.actor = load_actor(user_id)
    return actor


def current_scope() -> Membership | None:
    """The membership the user chose to work in, or None for all of them."""
    membership_id = session.get("scope")
    if not membership_id:
        return None
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.user_id != int(current_user.id):
        session.pop("scope", None)
        return None
    return membership


def local_time(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Format a UTC datetime in Beijing time."""
    return moment.astimezone(LOCAL).strftime(fmt) if moment else ""


def _page_context() -> dict:
    if not current_user.is_authenticated:
        return {}
    nav = [(endpoint, label) for endpoint, label in NAV if endpoint in current_app.view_functions]
    return {"scopes": scopes_of(int(current_user.id)), "current_scope_id": session.get("scope"),
            "nav": nav, "unread": _unread()}


def _unread() -> int:
    """The bell's badge: new tasks and deadline notices since the user last marked them read."""
    from app.inbox.notifications import unread_count  # noqa: PLC0415 - inbox builds on ui

    user = db.session.get(User, int(current_user.id))
    return unread_count(current_actor(), user.notifications_seen_at if user else None)


def _error_page(exc: OneDoorError):
    if isinstance(exc, OneDoorError) and exc.http_status == 403:
        user = current_user.get_id() if current_user.is_authenticated else None
        log.warning("403 %s %s user=%s", request.method, request.path, user)
    return render_template("error.html", error=exc), exc.http_status


def _csrf_page(exc: CSRFError):
    return render_template("error.html", error=OneDoorError("页面已过期或来源不明，请刷新页面后重试")), 400


def init_app(app: Flask) -> None:
    """Register filters, the shared page context and error pages."""
    app.jinja_env.filters["local_time"] = local_time
    app.context_processor(_page_context)
    app.register_error_handler(OneDoorError, _error_page)
    app.register_error_handler(CSRFError, _csrf_page)
    from app.ui.assets import vendor_assets_command  # noqa: PLC0415

    app.cli.add_command(vendor_assets_command)
