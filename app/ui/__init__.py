"""What every page shares: the signed-in actor, scope switching, the menu, filters and error pages."""

import logging
from datetime import datetime

from flask import (
    Flask,
    current_app,
    g,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app import vocab
from app.auth.services import scopes_of
from app.clock import local_zone
from app.errors import OneDoorError
from app.extensions import db
from app.org.models import Membership, User
from app.org.services import Actor, load_actor
from app.ui.nav import (
    NavEntry,
    administers,
    allowed_entries,
    anyone,
    approves_transfers,
    designs_processes,
    landing_endpoint,
    registers_cases,
    reports_from_grids,
    supervises,
    transfers_waiting,
    watches_dashboard,
)

# Top navigation: an entry shows when its area is installed and the actor passes its predicate,
# the same predicate the page's view checks (app/ui/nav.py).
NAV = [NavEntry("inbox.index", "我的待办", anyone),
       NavEntry("inbox.approvals", "待审批", approves_transfers, transfers_waiting),
       NavEntry("cases.index", "案件", anyone),
       NavEntry("cases.new", "受理登记", registers_cases),
       NavEntry("supervision.overdue_list", "督办", supervises),
       NavEntry("reports.index", "报表", supervises),
       NavEntry("dashboard.index", "态势大屏", watches_dashboard),
       NavEntry("gridapp.app_page", "网格员工作台", reports_from_grids),
       NavEntry("designer.index", "流程设计", designs_processes),
       NavEntry("admin.index", "系统管理", administers)]
__all__ = ["NAV", "NavEntry", "current_actor", "landing_url", "local_time"]
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
    return moment.astimezone(local_zone()).strftime(fmt) if moment else ""


def landing_url(user_id: int) -> str:
    """Where a user lands after signing in: the page their role works from."""
    return url_for(landing_endpoint(load_actor(user_id), current_app.view_functions))


def _page_context() -> dict:
    if not current_user.is_authenticated:
        return {"may": lambda endpoint: False}
    actor = current_actor()
    nav = allowed_entries(actor, NAV, current_app.view_functions)
    return {"scopes": scopes_of(int(current_user.id)), "current_scope_id": session.get("scope"),
            "nav": [(entry.endpoint, entry.label, entry.count(actor) if entry.count else 0)
                    for entry in nav], "nav_active": _active(nav),
            "unread": _unread(),
            "may": lambda endpoint: may_open(actor, endpoint)}


def _active(nav: list[NavEntry]) -> str | None:
    """The entry of this page: its own endpoint, else the first entry of its blueprint."""
    endpoints = [entry.endpoint for entry in nav]
    if request.endpoint in endpoints:
        return request.endpoint
    return next((e for e in endpoints if e.split(".")[0] == request.blueprint), None)


def may_open(actor: Actor, endpoint: str) -> bool:
    """True when the actor passes the predicate of the menu entry for `endpoint` (templates:
    `may('cases.new')` shows a link only to those it would not refuse)."""
    entry = next((e for e in NAV if e.endpoint == endpoint), None)
    return entry is not None and entry.allowed(actor)


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


HTTP_MESSAGES = {404: "您要找的页面不存在，可能地址有误或已被移除。", 405: "该页面不支持这种操作方式。",
                 500: "系统出现内部错误，已记录。请稍后重试；如果一直出现，请联系管理员。"}


def _http_page(exc: HTTPException):
    """Chinese pages for Werkzeug's errors (API paths keep their JSON shape)."""
    if request.path.startswith("/api/"):
        from app.api.errors import api_error  # noqa: PLC0415 - the API builds on ui

        return api_error(exc)
    status = exc.code or 500
    error = OneDoorError(HTTP_MESSAGES.get(status, "请求无法处理。"))
    error.http_status = status
    return render_template("error.html", error=error), status


def _server_error_page(exc: Exception):
    if isinstance(exc, HTTPException):
        return _http_page(exc)
    logging.getLogger("onedoor.errors").exception("unhandled error on %s", request.path)
    return _http_page(InternalServerErrorPage())


class InternalServerErrorPage(HTTPException):
    """What an unhandled exception becomes on a web page."""

    code = 500


@login_required
def _home():
    """The signed-in user's landing page (the brand link, error pages and sign-in lead here)."""
    return redirect(landing_url(int(current_user.id)))


def _favicon():
    return send_from_directory(current_app.static_folder, "favicon.svg", mimetype="image/svg+xml",
                               max_age=86400)


def init_app(app: Flask) -> None:
    """Register filters, the shared page context, error pages and the favicon."""
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["label"] = vocab.label  # {{ case.channel|label("channel") }}
    app.jinja_env.globals["vocab"] = vocab.VOCABULARIES  # {{ vocab.category.labels() }}
    app.context_processor(_page_context)
    app.register_error_handler(OneDoorError, _error_page)
    app.register_error_handler(CSRFError, _csrf_page)
    for status in (404, 405):
        app.register_error_handler(status, _http_page)
    app.register_error_handler(500, _server_error_page)
    app.add_url_rule("/favicon.ico", "favicon", _favicon)
    app.add_url_rule("/home", "home", _home)
    from app.ui.assets import vendor_assets_command  # noqa: PLC0415

    app.cli.add_command(vendor_assets_command)
