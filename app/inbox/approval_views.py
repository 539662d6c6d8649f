"""待审批: the center coordinator's list of 转办 requests, and the approve / refuse decision."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select

from app.errors import Conflict, Forbidden, ValidationFailed
from app.extensions import db
from app.inbox import transfers
from app.inbox.views import _clock, bp
from app.org.models import Department, User
from app.ui import current_actor
from app.unit_of_work import run_unit


def _approver():
    actor = current_actor()
    if not transfers.may_approve(actor):
        raise Forbidden("只有综治中心调度人员可以审批转办")
    return actor


def _render(errors: dict | None = None, status: int = 200):
    actor = _approver()
    rows = transfers.waiting_for(actor)
    ids = {r.to_department_id for r, _ in rows} | {r.from_department_id for r, _ in rows}
    names = dict(db.session.execute(select(Department.id, Department.name).where(
        Department.id.in_(ids - {None}))).all()) if rows else {}
    people = dict(db.session.execute(select(User.id, User.display_name).where(
        User.id.in_({r.requested_by_id for r, _ in rows}))).all()) if rows else {}
    return render_template("inbox/approvals.html", rows=rows, names=names, people=people,
                           errors=errors or {}, values=request.form), status


@bp.get("/approvals")
@login_required
def approvals():
    """The 转办 requests waiting for me, oldest first."""
    return _render()


@bp.post("/approvals/<int:request_id>")
@login_required
def decide_transfer(request_id: int):
    """批准 or 不批准 one request; a refusal needs a reason, a second decision is refused."""
    actor = _approver()
    approve = request.form.get("decision") == "approve"
    text = request.form.get("reason", "")
    try:
        if approve:
            run_unit(lambda: transfers.approve(request_id, text, actor=actor, clock=_clock()))
        else:
            run_unit(lambda: transfers.refuse(request_id, text, actor=actor, clock=_clock()))
    except (ValidationFailed, Conflict) as failed:
        db.session.expire_all()
        flash(failed.message, "error")
        return _render({request_id: failed.errors.get("reason", [])}, failed.http_status)
    flash("已批准转办，任务已转至所申请的部门" if approve else "已不批准转办，任务仍由原部门办理")
    return redirect(url_for("inbox.approvals"))
