"""/api/v1/tasks: my inbox (我的待办), a task with its form, claim, release, complete."""

from flask.views import MethodView

from app.api.auth import require_user
from app.api.base import SECURITY, api_blueprint, clock
from app.api.schemas import ApiErrorSchema, TaskComplete, TaskDetail, TaskListArgs, TaskOut, TaskPage
from app.extensions import db
from app.inbox.queries import PAGE_SIZE, InboxQuery, Tab, inbox, visible_task
from app.unit_of_work import run_unit
from app.workflow import services
from app.workflow.models import HumanTask
from app.workflow.queries import task_form

bp = api_blueprint("api_tasks", __name__, "/tasks", "任务：我的待办、认领、退回、办理（需用户身份）")


class TaskView:
    """A task with its form, for TaskDetail (reads the task's own attributes through)."""

    def __init__(self, task: HumanTask, form, values, mine: bool):
        self.task, self.form, self.values, self.mine = task, form, values, mine

    def __getattr__(self, name):
        return getattr(self.task, name)


@bp.route("")
class Tasks(MethodView):
    """My inbox."""

    @bp.doc(security=SECURITY)
    @bp.arguments(TaskListArgs, location="query")
    @bp.response(200, TaskPage)
    @bp.alt_response(403, schema=ApiErrorSchema)
    def get(self, args):
        """我的待办：待办 todo / 我已认领 mine / 即将超期 due / 已办 done"""
        page = inbox(require_user(), None, InboxQuery(Tab(args["tab"]), args["q"], args["page"]),
                     clock().now(), all_counts=args["counts"])
        # rows are tasks, or (task, case) pairs since the inbox shows case facts
        items = [row[0] if isinstance(row, tuple) else row for row in page.rows]
        return {"items": items, "total": page.total, "page": page.page, "pages": page.pages,
                "per_page": PAGE_SIZE, "counts": {tab.value: n for tab, n in page.counts.items()}}


@bp.route("/<string:task_id>")
class TaskItem(MethodView):
    """One task."""

    @bp.doc(security=SECURITY)
    @bp.response(200, TaskDetail)
    @bp.alt_response(403, schema=ApiErrorSchema)
    @bp.alt_response(404, schema=ApiErrorSchema)
    def get(self, task_id):
        """任务详情：表单（JSON Schema）与已知的值"""
        actor = require_user()
        task = visible_task(task_id, actor)
        form = task_form(task)
        return TaskView(task, form.schema, form.values, task.assignee_id == actor.user_id)


def _act(task_id: str, operation, *, with_instance: bool = False) -> HumanTask:
    actor = require_user()
    # held: the operation finds the row (and with `with_instance` its instance) in the session
    task = visible_task(task_id, actor, with_instance=with_instance)
    result = run_unit(lambda: _answered(operation(actor)))
    del task
    return result


def _answered(task: HumanTask) -> HumanTask:
    """The task as flushed, out of the session: the commit does not expire it, so the
    answer is written from what we hold instead of reading the row back."""
    db.session.flush()
    db.session.expunge(task)
    return task


@bp.route("/<string:task_id>/claim", methods=["POST"])
@bp.doc(security=SECURITY)
@bp.response(200, TaskOut)
@bp.alt_response(403, schema=ApiErrorSchema)
@bp.alt_response(404, schema=ApiErrorSchema)
@bp.alt_response(409, schema=ApiErrorSchema)
def claim(task_id):
    """认领任务"""
    return _act(task_id, lambda actor: services.claim_task(task_id, actor=actor, clock=clock()))


@bp.route("/<string:task_id>/release", methods=["POST"])
@bp.doc(security=SECURITY)
@bp.response(200, TaskOut)
@bp.alt_response(403, schema=ApiErrorSchema)
@bp.alt_response(404, schema=ApiErrorSchema)
@bp.alt_response(409, schema=ApiErrorSchema)
def release(task_id):
    """退回任务（取消认领）"""
    return _act(task_id, lambda actor: services.release_task(task_id, actor=actor, clock=clock()))


@bp.route("/<string:task_id>/complete", methods=["POST"])
@bp.doc(security=SECURITY)
@bp.arguments(TaskComplete)
@bp.response(200, TaskOut)
@bp.alt_response(403, schema=ApiErrorSchema)
@bp.alt_response(404, schema=ApiErrorSchema)
@bp.alt_response(409, schema=ApiErrorSchema)
@bp.alt_response(422, schema=ApiErrorSchema)
def complete(args, task_id):
    """办理任务：按表单提交数据（服务端校验），流程推进到下一环节"""
    return _act(task_id, lambda actor: services.complete_task(
        task_id, args["data"], actor=actor, clock=clock(), claim=args["claim"]), with_instance=True)
