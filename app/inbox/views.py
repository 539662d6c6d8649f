"""我的待办: the inbox, a task's page, and claim / release / complete."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select

from app.cases import access, context, history
from app.errors import Conflict, Forbidden, ValidationFailed
from app.extensions import db
from app.inbox import actions, extend, notifications, transfers, urge, whistle
from app.inbox.deadlines import STATE_LABELS, deadline_state, time_left_words
from app.inbox.formrender import build_fields, parse_submission
from app.inbox.queries import LEVELS, TAB_LABELS, InboxQuery, inbox, visible_task
from app.org.models import Department, User
from app.supervision.overdue_facts import outcome_label
from app.ui import current_actor, current_scope
from app.unit_of_work import run_unit
from app.workflow import assignment, services
from app.workflow.forms import local_day
from app.workflow.models import HumanTask, TaskState
from app.workflow.queries import process_names, task_form

bp = Blueprint("inbox", __name__)


def _clock():
    return current_app.extensions["onedoor.clock"]


def _row_view(task: HumanTask, now, case=None):
    if task.state != TaskState.READY:  # 已办: a finished task has no time left, only its outcome
        return {"task": task, "case": case, "words": outcome_label(task), "state": "none", "state_label": ""}
    state = deadline_state(task.created_at, task.due_at, now, warn_at=task.warn_at)
    return {"task": task, "case": case, "words": time_left_words(task.due_at, now),
            "state": state.value if state else "none",
            "state_label": STATE_LABELS.get(state, "") if state else ""}


@bp.get("/")
@login_required
def index():
    """The inbox of the current scope, one tab at a time."""
    query = InboxQuery.from_args(request.args)
    now = _clock().now()
    page = inbox(current_actor(), current_scope(), query, now)
    return render_template("inbox/index.html", page=page, query=query, tabs=TAB_LABELS,
                           rows=[_row_view(t, now, c) for t, c in page.rows],
                           awaiting=transfers.pending_task_ids([t.id for t, _ in page.rows]),
                           levels=LEVELS, filters=_filter_args(query))


def _filter_args(query: InboxQuery) -> dict:
    """The current search and filters, for links that keep them."""
    values = {"q": query.q, "category": query.category, "risk_tier": query.risk_tier,
              "channel": query.channel, "level": query.level}
    return {key: value for key, value in values.items() if value}


def _task_for_actor(task_id: str) -> HumanTask:
    """The task if the user may see it; 403 (logged) when it exists but is not theirs."""
    return visible_task(task_id, current_actor())


@bp.get("/notifications")
@login_required
def notifications_page():
    """New tasks and deadline notices for me; unread ones are marked."""
    actor = current_actor()
    user = db.session.get(User, actor.user_id)
    return render_template("inbox/notifications.html",
                           items=notifications.items(actor, user.notifications_seen_at))


@bp.post("/notifications/read")
@login_required
def notifications_read():
    """Mark everything so far as read."""
    user_id = current_actor().user_id
    run_unit(lambda: notifications.mark_seen(user_id, _clock().now()))
    return redirect(url_for("inbox.notifications_page"))


@bp.get("/tasks/<task_id>")
@login_required
def task(task_id: str):
    """A task: its case facts, deadline and (when claimed by me) its form."""
    item = _task_for_actor(task_id)
    return _render_task(item)


def _render_task(item: HumanTask, posted=None, errors=None, status=200, action_errors=None):
    form = task_form(item)
    actor = current_actor()
    case = context.case_of(item)
    mine = item.assignee_id == actor.user_id
    known = context.prefill(item, case, form.schema, actor.label) if mine else {}
    values = posted if posted is not None else {**known, **form.values}  # x-prefill, then the draft
    now = _clock().now()
    schema, ui = whistle.narrow(item, form.schema, form.ui, now) if mine else (form.schema, form.ui)
    fields = build_fields(schema, ui, values, errors) if schema else []
    can_assign = item.state == TaskState.READY and (mine or assignment.supervises(actor, item))
    unmasked = case is not None and access.in_handling_scope(actor, case)
    may_act = item.state == TaskState.READY and actions.may_transfer(actor, item)
    return render_template("inbox/task.html", task=item, fields=fields, form=form,
                           row=_row_view(item, now), errors=errors or {}, mine=mine,
                           today=local_day(now).isoformat(),
                           case=case, unmasked=unmasked,
                           context=context.task_context(item, form.schema, masked=not unmasked),
                           process_name=process_names(item.instance).get(item.process_id, ""),
                           targets=actions.transfer_targets(item) if may_act else [],
                           can_return=may_act and actions.can_return(item),
                           can_return_previous=may_act and actions.can_return_to_previous(actor, item),
                           action_errors=action_errors or {}, action_values=request.form,
                           handled=history.task_actions(item), extension=_extension_view(item, actor),
                           may_act_for=actions.may_act_for(actor, item),
                           transfer=_transfer_view(item, actor) if may_act else {},
                           urgings=urge.urgings_of(item.id),
                           colleagues=[u for u in assignment.candidates(item)
                                       if u.id != item.assignee_id] if can_assign else []), status


def _transfer_view(item: HumanTask, actor) -> dict:
    """What the page says about 转办: a request waiting, its last refusal, whether one needs approval."""
    waiting = transfers.pending_for(item.id)
    refused = None if waiting else transfers.latest_refusal(item.id)
    names = dict(db.session.execute(select(Department.id, Department.name).where(Department.id.in_(
        [r.to_department_id for r in (waiting, refused) if r]))).all()) if waiting or refused else {}
    return {"pending": waiting, "refused": refused, "names": names,
            "needs_approval": transfers.needs_approval(actor, item)}


def _extension_view(item: HumanTask, actor) -> dict:
    """What the page offers about 延期: the request form (holder) or the decision (coordinator)."""
    waiting = extend.pending(item.id)
    return {"pending": waiting, "may_request": extend.may_request(actor, item),
            "may_decide": waiting is not None and actions.coordinates(actor, item),
            "cap": extend.cap_days(item) if item.due_at else None}


@bp.post("/tasks/<task_id>/draft")
@login_required
def draft(task_id: str):
    """Save the form as it is, to finish later."""
    item = _task_for_actor(task_id)
    form = task_form(item)
    data = parse_submission(form.schema, request.form) if form.schema else {}
    run_unit(lambda: assignment.save_draft(task_id, data, actor=current_actor()))
    flash("草稿已保存")
    return redirect(url_for("inbox.task", task_id=task_id))


@bp.post("/tasks/<task_id>/assign")
@login_required
def assign(task_id: str):
    """Hand the task to a colleague (holder) or reassign it (supervisor)."""
    _task_for_actor(task_id)
    to_user = request.form.get("to_user_id", type=int)
    if to_user is None:
        flash("请选择接收人", "error")
        return redirect(url_for("inbox.task", task_id=task_id))
    run_unit(lambda: assignment.assign_task(task_id, to_user, actor=current_actor(), clock=_clock()))
    flash("任务已转交")
    return redirect(url_for("inbox.task", task_id=task_id))


@bp.post("/tasks/<task_id>/claim")
@login_required
def claim(task_id: str):
    """Claim the task for myself."""
    _task_for_actor(task_id)
    run_unit(lambda: services.claim_task(task_id, actor=current_actor(), clock=_clock()))
    flash("已认领，请办理")
    return redirect(url_for("inbox.task", task_id=task_id))


@bp.post("/tasks/<task_id>/release")
@login_required
def release(task_id: str):
    """Give the task back to my department."""
    _task_for_actor(task_id)
    run_unit(lambda: services.release_task(task_id, actor=current_actor(), clock=_clock()))
    flash("已退回待办")
    return redirect(url_for("inbox.index"))


@bp.post("/tasks/<task_id>/complete")
@login_required
def complete(task_id: str):
    """Submit the form: on errors show them in Chinese, field by field; nothing is saved."""
    item = _task_for_actor(task_id)
    form = task_form(item)
    data = parse_submission(form.schema, request.form) if form.schema else {}
    try:
        run_unit(lambda: services.complete_task(task_id, data, actor=current_actor(),
                                                clock=_clock()))
    except ValidationFailed as failed:
        db.session.expire_all()
        flash(failed.message, "error")
        return _render_task(db.session.get_one(HumanTask, task_id), data, failed.errors, 422)
    flash(f"「{item.title}」已办结")
    return redirect(url_for("inbox.index"))




@bp.post("/tasks/<task_id>/transfer")
@login_required
def transfer(task_id: str):
    """转办: offer the task to another department, with a reason (or ask for approval first)."""
    item = _task_for_actor(task_id)
    department_id = request.form.get("department_id", type=int)
    try:
        outcome = run_unit(lambda: transfers.transfer(
            task_id, department_id, request.form.get("reason", ""), actor=current_actor(),
            clock=_clock()))
    except (ValidationFailed, Conflict) as failed:
        db.session.expire_all()
        flash(failed.message, "error")
        return _render_task(db.session.get_one(HumanTask, task_id), status=failed.http_status,
                            action_errors=failed.errors)
    if outcome.pending:
        flash("转办申请已提交，等待综治中心调度审批；审批前任务仍由本部门办理")
        return redirect(url_for("inbox.task", task_id=task_id))
    flash(f"「{item.title}」已转办")
    return redirect(url_for("inbox.index"))


@bp.post("/tasks/<task_id>/return")
@login_required
def send_back(task_id: str):
    """退回: give the task back to the center's coordinators, with the reason."""
    item = _task_for_actor(task_id)
    try:
        run_unit(lambda: actions.return_task(task_id, request.form.get("reason", ""),
                                             actor=current_actor(), clock=_clock()))
    except ValidationFailed as failed:
        db.session.expire_all()
        flash(failed.message, "error")
        return _render_task(db.session.get_one(HumanTask, task_id), status=422,
                            action_errors={f"return_{k}": v for k, v in failed.errors.items()})
    flash(f"「{item.title}」已退回综治中心")
    return redirect(url_for("inbox.index"))


@bp.post("/tasks/<task_id>/return-previous")
@login_required
def send_back_previous(task_id: str):
    """退回上一步: the step before opens again for its handlers, with the reason."""
    _task_for_actor(task_id)
    try:
        previous = run_unit(lambda: actions.return_to_previous(
            task_id, request.form.get("reason", ""), actor=current_actor(), clock=_clock()))
    except ValidationFailed as failed:
        db.session.expire_all()
        flash(failed.message, "error")
        return _render_task(db.session.get_one(HumanTask, task_id), status=422,
                            action_errors={f"previous_{k}": v for k, v in failed.errors.items()})
    flash(f"已退回上一步「{previous.title}」")
    return redirect(url_for("inbox.index"))


def _action(task_id: str, unit, prefix: str, done: str):
    """Run a task action; on a refusal show the task page with the errors at their fields."""
    try:
        run_unit(unit)
    except ValidationFailed as failed:
        db.session.expire_all()
        flash(failed.message, "error")
        return _render_task(db.session.get_one(HumanTask, task_id), status=422,
                            action_errors={f"{prefix}{k}": v for k, v in failed.errors.items()})
    flash(done)
    return redirect(url_for("inbox.task", task_id=task_id))


@bp.post("/tasks/<task_id>/extension")
@login_required
def request_extension(task_id: str):
    """延期申请: the holder asks for a new deadline, with a reason."""
    _task_for_actor(task_id)
    form = request.form
    return _action(task_id, lambda: extend.request_extension(
        task_id, form.get("new_due"), form.get("reason", ""), actor=current_actor(), clock=_clock()),
        "extend_", "延期申请已提交，等待综治中心审批")


@bp.post("/tasks/<task_id>/extension/decision")
@login_required
def decide_extension(task_id: str):
    """延期审批: a coordinator over the case's area grants or refuses the request."""
    _task_for_actor(task_id)
    grant = request.form.get("decision") == "grant"
    return _action(task_id, lambda: extend.decide_extension(
        task_id, grant, request.form.get("reason", ""), actor=current_actor(), clock=_clock()),
        "decide_", "已批准延期" if grant else "已不批准延期")


@bp.route("/tasks/<task_id>/urge", methods=["GET", "POST"])
@login_required
def urge_task(task_id: str):
    """催办 / 督办 by hand, from the overdue list: pick which, write the requirement."""
    item = _task_for_actor(task_id)
    actor = current_actor()
    if not urge.may_urge(actor, item):
        raise Forbidden("只有本案所在地区的督办人员或综治中心调度人员可以催办、督办")
    errors, status = {}, 200
    if request.method == "POST":
        kind = request.form.get("kind", "")
        try:
            run_unit(lambda: urge.urge(task_id, kind, request.form.get("requirement", ""),
                                       actor=actor, clock=_clock()))
        except ValidationFailed as failed:
            db.session.expire_all()
            errors, status = failed.errors, 422
        else:
            flash(f"已{urge.KIND_LABELS[kind]}：「{item.title}」")
            return redirect(url_for("supervision.overdue_list"))
    return render_template("inbox/urge.html", task=db.session.get(HumanTask, task_id),
                           row=_row_view(item, _clock().now()), errors=errors, values=request.form,
                           done=urge.done_kinds(task_id), kinds=urge.KIND_LABELS), status


@bp.post("/tasks/<task_id>/act-for")
@login_required
def act_for(task_id: str):
    """代部门办理: a coordinator takes over a department's task, with a reason."""
    _task_for_actor(task_id)
    return _action(task_id, lambda: actions.act_for(task_id, request.form.get("reason", ""),
                                                    actor=current_actor(), clock=_clock()),
                   "act_for_", "已由综治中心代部门办理，请填写表单")
