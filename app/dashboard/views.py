"""态势大屏 pages: the dashboard, its JSON (polled), the list behind a figure, grid outlines,
risk warnings and their thresholds."""

from __future__ import annotations

import json

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import login_required

from app.dashboard import figures, geo
from app.errors import Forbidden, ValidationFailed
from app.org.models import Role
from app.supervision import warning_handling, warnings
from app.supervision.access import unit_in_scope, units_under
from app.ui import current_actor
from app.unit_of_work import run_unit

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
REFRESH_SECONDS = 60
FIGURE_TITLES = {"intake": "今日受理", "open": "在办案件", "overdue": "当前逾期", "risk": "红橙风险在办",
                 "grid": "网格近 30 天受理"}


def _clock():
    return current_app.extensions["onedoor.clock"]


def _unit():
    scope = figures.dashboard_scope(current_actor())
    return scope, unit_in_scope(scope, request.args.get("org_unit_id", type=int))


@bp.get("/")
@login_required
def index():
    """The dashboard page; the figures come from data.json and refresh every minute."""
    scope, unit = _unit()
    refresh = current_app.config.get("DASHBOARD_REFRESH_SECONDS", REFRESH_SECONDS)
    return render_template("dashboard/index.html", unit=unit, units=scope.units, refresh=refresh)


@bp.get("/data.json")
@login_required
def data():
    """Every figure of the dashboard as JSON."""
    _scope, unit = _unit()
    return jsonify(figures.figures(unit, _clock().now()))


@bp.get("/list")
@login_required
def figure_list():
    """The cases behind one figure."""
    _scope, unit = _unit()
    figure = figures.Figure(request.args.get("figure", ""), request.args.get("key", "")[:64])
    if figure.kind not in FIGURE_TITLES:
        raise ValidationFailed("查询条件有误", {"figure": ["取值无效"]})
    rows = figures.figure_cases(unit, figure, _clock().now())
    return render_template("dashboard/list.html", unit=unit, rows=rows, title=FIGURE_TITLES[figure.kind],
                           limit=figures.LIST_LIMIT)


def _admin() -> None:
    if not current_actor().has_role(Role.ADMIN):
        raise Forbidden("只有管理员可以导入网格边界")


@bp.get("/grids")
@login_required
def grids():
    """The admin's page for loading grid outlines (GeoJSON)."""
    _admin()
    return render_template("dashboard/grids.html")


@bp.post("/grids")
@login_required
def upload_grids():
    """Load a GeoJSON FeatureCollection of grid outlines (properties.code = org unit code)."""
    _admin()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationFailed("请选择 GeoJSON 文件", {"file": ["必填"]})
    try:
        collection = json.loads(upload.read(20 * 1024 * 1024).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationFailed("文件不是有效的 GeoJSON", {"file": ["无法解析为 JSON"]}) from exc
    count = run_unit(lambda: geo.load_shapes(collection, _clock().now()))
    flash(f"已导入 {count} 个网格边界")
    return redirect(url_for("dashboard.grids"))


@bp.get("/warnings")
@login_required
def warning_list():
    """风险预警 raised under the unit, with their evidence."""
    _scope, unit = _unit()
    rows = warnings.warnings_in(units_under(unit), 200)
    actor = current_actor()
    return render_template("dashboard/warnings.html", unit=unit, rows=rows, labels=warnings.LABELS,
                           names=warning_handling.handler_names(rows),
                           handles={w.id for w in rows if warning_handling.may_handle(actor, w)})


@bp.post("/warnings/<int:warning_id>/acknowledge")
@login_required
def acknowledge_warning(warning_id: int):
    """签收 a warning (center coordinators of its area)."""
    run_unit(lambda: warning_handling.acknowledge(warning_id, current_actor(), _clock().now()))
    flash("已签收该预警")
    return redirect(url_for("dashboard.warning_list", org_unit_id=request.form.get("org_unit_id", type=int)))


@bp.post("/warnings/<int:warning_id>/close")
@login_required
def close_warning(warning_id: int):
    """关闭 a warning with a note on what was done."""
    run_unit(lambda: warning_handling.close(warning_id, request.form.get("note", ""), current_actor(),
                                            _clock().now()))
    flash("已关闭该预警")
    return redirect(url_for("dashboard.warning_list", org_unit_id=request.form.get("org_unit_id", type=int)))


@bp.get("/warning-rules")
@login_required
def warning_rules():
    """The admin's page of early-warning thresholds."""
    _admin()
    return render_template("dashboard/warning_rules.html", rules=_rules_view(), labels=warnings.LABELS,
                           param_labels=warnings.PARAM_LABELS)


def _rules_view() -> list[dict]:
    return [{"key": key, "params": warnings.rule_params(key) or warnings.saved_params(key),
             "enabled": warnings.rule_params(key) is not None} for key in warnings.DEFAULTS]


@bp.post("/warning-rules")
@login_required
def save_warning_rule():
    """Save one rule's thresholds and whether it is on."""
    _admin()
    key = request.form.get("rule", "")
    params = {name: request.form.get(name) for name in warnings.DEFAULTS.get(key, {})}
    actor = current_actor()
    run_unit(lambda: warnings.set_rule(key, params, request.form.get("enabled") == "1",
                                       actor_id=actor.user_id, now=_clock().now()))
    flash(f"已保存「{warnings.LABELS[key]}」的预警阈值")
    return redirect(url_for("dashboard.warning_rules"))
