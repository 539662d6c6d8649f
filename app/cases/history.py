"""一案一档: the handling history of a case — every completed step with who, when, where and what
was submitted (read back with the form's Chinese labels), its comments and its attachments."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.cases import files, labels
from app.cases.models import Case
from app.cases.notes import Attachment
from app.cases.routemap import task_places
from app.clock import local_zone
from app.extensions import db
from app.inbox.formview import Entry, describe
from app.org.models import Department, OrgUnit, User
from app.workflow import registry
from app.workflow.models import HumanTask, ProcessInstance, TaskState
from app.workflow.queries import process_names, ui_key

COMMENTS, ATTACHMENTS = "留言", "附件"
DOCUMENT_NAMES = {"receipt": "受理回执", "agreement": "人民调解协议书", "supervision": "督办通知书",
                  "case_file": "一案一档"}


@dataclass
class Item:
    """One line of the case file: a completed step, a comment or an attachment."""

    kind: str            # step | comment | attachment
    at: datetime
    title: str           # 本级调解（网格员）; also the filter key
    who: str = ""
    where: str = ""
    entries: list[Entry] = field(default_factory=list)
    body: str = ""
    attachment: Attachment | None = None
    task: HumanTask | None = None


def step_title(task: HumanTask) -> str:
    """The step as people name it: '本级调解（网格员）' — the task's name and its lane when the
    name alone does not tell the levels of a ladder apart."""
    if task.lane and task.lane not in task.title and task.lane != "承办部门":
        return f"{task.title}（{task.lane}）"
    return task.title


def _instances(business_key: str) -> dict[str, ProcessInstance]:
    return {i.id: i for i in db.session.scalars(
        select(ProcessInstance).where(ProcessInstance.business_key == business_key))}


def _submitted(instance_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Task id → the values submitted when it was completed (kept in its audit event)."""
    rows = db.session.execute(select(AuditEvent.task_id, AuditEvent.summary).where(
        AuditEvent.instance_id.in_(instance_ids), AuditEvent.action == "task.completed"))
    return {task_id: summary.get("values") or {} for task_id, summary in rows if task_id}


def _form(instance: ProcessInstance, form_key: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    if form_key is None:
        return {}, {}
    forms = registry.load(instance.deployment_id, instance.process_id).forms
    return forms.get(form_key) or {}, forms.get(ui_key(form_key)) or {}


def completed_steps(business_key: str, *, masked: bool, bpmn_ids: list[str] | None = None,
                    instance_id: str | None = None, fields: list[str] | None = None) -> list[Item]:
    """The completed steps of a case (or 12345 order) by its business key, oldest first
    (optionally only `bpmn_ids`, of one instance, showing only `fields`)."""
    instances = _instances(business_key)
    query = select(HumanTask).where(HumanTask.business_key == business_key,
                                    HumanTask.state == TaskState.COMPLETED)
    if bpmn_ids is not None:
        query = query.where(HumanTask.bpmn_id.in_(bpmn_ids))
    if instance_id is not None:
        query = query.where(HumanTask.instance_id == instance_id)
    tasks = list(db.session.scalars(query.order_by(HumanTask.completed_at, HumanTask.id)))
    submitted = _submitted(list(instances))
    places = task_places(tasks)
    users: dict[int | None, str] = dict(db.session.execute(select(User.id, User.display_name).where(
        User.id.in_({t.completed_by_id for t in tasks} - {None}))).all())
    items = []
    for task in tasks:
        schema, ui = _form(instances[task.instance_id], task.form_key)
        items.append(Item("step", task.completed_at or task.created_at, step_title(task),
                          who=users.get(task.completed_by_id, ""), where=places.get(task.id, ""),
                          entries=describe(schema, ui, submitted.get(task.id, {}), masked=masked,
                                           only=fields),
                          task=task))
    return items


ACTIONS = {"task.transferred": "转办", "task.returned": "退回", "task.acted_for": "代部门办理",
           "task.sent_back": "退回上一步",
           "task.extension_requested": "延期申请", "task.extension_decided": "延期审批"}


def _actions(case: Case, task_id: str | None = None) -> list[Item]:
    """Task actions with their reasons (转办, 退回), read from the audit trail."""
    instances = list(_instances(case.code))
    query = select(AuditEvent).where(AuditEvent.instance_id.in_(instances),
                                     AuditEvent.action.in_(list(ACTIONS)))
    if task_id is not None:
        query = query.where(AuditEvent.task_id == task_id)
    events = list(db.session.scalars(query.order_by(AuditEvent.at, AuditEvent.id)))
    tasks: dict[str | None, HumanTask] = {t.id: t for t in db.session.scalars(select(HumanTask).where(
        HumanTask.id.in_({e.task_id for e in events} - {None})))}
    departments: dict[Any, str] = dict(db.session.execute(select(Department.id, Department.name).where(
        Department.id.in_({e.summary.get("to_department") for e in events} - {None}))).all())
    units: dict[Any, str] = dict(db.session.execute(select(OrgUnit.id, OrgUnit.name).where(
        OrgUnit.id.in_({e.summary.get("to_unit") for e in events} - {None}))).all())
    items = []
    for event in events:
        task = tasks.get(event.task_id)
        if event.action.startswith("task.extension"):
            body = f"{step_title(task) if task else ''}{_extension_words(event.summary)}"
        elif event.action == "task.sent_back":
            step = step_title(task) if task else ""
            body = f"退回至「{step}」重新办理。理由：{event.summary.get('reason', '')}"
        else:
            target = departments.get(event.summary.get("to_department")) or \
                units.get(event.summary.get("to_unit"), "") + "综治中心调度"
            body = f"{step_title(task) if task else ''}转至{target}。理由：{event.summary.get('reason', '')}"
        items.append(Item("action", event.at, ACTIONS[event.action], who=event.actor_label, body=body))
    return items


def _extension_words(summary: dict[str, Any]) -> str:
    """「申请延期至 2026年12月20日 17:00。理由：…」 or the decision on it."""
    due = datetime.fromisoformat(summary["to"]).astimezone(local_zone()).strftime("%Y年%m月%d日 %H:%M")
    if "granted" not in summary:
        verb = "申请延期至"
    else:
        verb = "批准延期至" if summary["granted"] else "不批准延期至"
    return f"{verb} {due}。理由：{summary.get('reason', '')}"


def task_actions(task: HumanTask) -> list[Item]:
    """The 转办 / 退回 of one task with their reasons (shown on the task page where it lands)."""
    case = db.session.scalar(select(Case).where(Case.code == task.business_key))
    return [i for i in _actions(case, task.id)] if case else []


def case_file(case: Case, *, masked: bool) -> list[Item]:
    """The whole history of the case in time order."""
    items = completed_steps(case.code, masked=masked) + _actions(case)
    items += [Item("comment", c.created_at, COMMENTS, who=c.author_label, body=c.body)
              for c in files.comments_of(case)]
    items += [Item("attachment", a.created_at, ATTACHMENTS, who=a.uploaded_by_label,
                   body=a.filename, attachment=a) for a in files.attachments_of(case)]
    items.sort(key=lambda item: item.at)
    return items


def only_step(items: list[Item], step: str) -> list[Item]:
    """The items of one step title (or 留言 / 附件); all of them when `step` is empty."""
    return [item for item in items if item.title == step] if step else items


def step_choices(items: list[Item]) -> list[str]:
    """The distinct step titles of a history, in first-seen order (for the filter)."""
    return list(dict.fromkeys(item.title for item in items))


@dataclass
class AuditLine:
    """One audit event as the case page reads it: '生成任务：本级调解（网格员）'."""

    at: datetime
    actor: str
    text: str


def audit_lines(case: Case, limit: int = 500) -> list[AuditLine]:
    """The audit trail of the case's instances, named in Chinese (no codes, no BPMN ids)."""
    instances = _instances(case.code)
    events = list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.instance_id.in_(list(instances))).order_by(AuditEvent.at, AuditEvent.id)
        .limit(limit)))
    titles = {t.id: step_title(t) for t in db.session.scalars(select(HumanTask).where(
        HumanTask.business_key == case.code))}
    names: dict[str, str] = {}
    for instance in instances.values():
        names.update(process_names(instance))
    lines = []
    for event in events:
        text = labels.audit_action(event.action)
        if event.task_id in titles:
            text += f"：{titles[event.task_id]}"
        elif event.action == "case.document_generated":
            text += f"：{DOCUMENT_NAMES.get(str(event.summary.get('document')), '')}"
        elif event.action == "instance.started" and event.instance_id in instances:
            text += f"：{names.get(instances[event.instance_id].process_id, '')}"
        lines.append(AuditLine(event.at, event.actor_label, text))
    return lines
