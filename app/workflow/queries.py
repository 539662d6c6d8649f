"""Read-only views of tasks for pages: the form, its UI hints and the values known so far."""

from dataclasses import dataclass, field
from typing import Any

from app.errors import NotFound
from app.extensions import db
from app.workflow import engine, registry
from app.workflow.checks import TRANSFER_APPROVAL_PROPERTY, TRANSFER_APPROVERS
from app.workflow.models import HumanTask, ProcessInstance, TaskState


@dataclass
class TaskForm:
    """A task's form schema, UI hints and current values."""

    schema: dict[str, Any] | None
    ui: dict[str, Any] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)


def ui_key(form_key: str) -> str:
    """The UI hint file paired with a form file (intake.json → intake.uischema.json)."""
    return form_key[: -len(".json")] + ".uischema.json" if form_key.endswith(".json") else ""


def task_form(task: HumanTask) -> TaskForm:
    """The form of `task` as deployed with its instance, with the task's own saved draft."""
    if task.form_key is None:
        return TaskForm(None)
    instance = db.session.get(ProcessInstance, task.instance_id)
    if instance is None:
        raise NotFound("流程实例不存在")
    loaded = registry.load(instance.deployment_id, instance.process_id)
    schema = loaded.forms.get(task.form_key)
    if schema is None:
        raise NotFound(f"表单「{task.form_key}」不在该流程版本中")
    # Only the task's own draft: the workflow's data carries the same field names from earlier
    # steps (level 3's 调解情况 held level 2's text). Known facts come from the form's x-prefill.
    values = dict(task.draft or {}) if task.state == TaskState.READY else {}
    return TaskForm(schema, loaded.forms.get(ui_key(task.form_key), {}), values)


def task_properties(task: HumanTask) -> dict[str, str]:
    """The extension properties the task's user task declares in its instance's deployment."""
    instance = db.session.get(ProcessInstance, task.instance_id)
    if instance is None:
        return {}
    loaded = registry.load(instance.deployment_id, instance.process_id)
    return engine.task_spec_properties(loaded.specs, task.process_id, task.bpmn_id)


def transfer_approver(task: HumanTask) -> str | None:
    """Who must approve a 转办 of this task ("coordinator"), or None when it needs no approval."""
    value = task_properties(task).get(TRANSFER_APPROVAL_PROPERTY, "").strip()
    return value if value in TRANSFER_APPROVERS else None


@dataclass
class Diagram:
    """One process of an instance: its name, BPMN XML and each element's state."""

    process_id: str
    name: str
    xml: str
    states: dict[str, str]


def instance_diagrams(instance: ProcessInstance) -> list[Diagram]:
    """The instance's process and every called process it has entered, with element states."""
    loaded = registry.load(instance.deployment_id, instance.process_id)
    workflow = engine.deserialize(loaded.specs, instance.state, registry.script_engine())
    states = engine.element_states(workflow)
    files = {f.name: f.content for f in instance.deployment.files}
    diagrams = []
    for process_id, (name, file_name) in engine.process_files(loaded.specs).items():
        if process_id == instance.process_id or process_id in states:
            diagrams.append(Diagram(process_id, name, files.get(file_name, ""),
                                    states.get(process_id, {})))
    return diagrams


def process_names(instance: ProcessInstance) -> dict[str, str]:
    """Display names of the processes an instance may run (for route maps and inboxes)."""
    loaded = registry.load(instance.deployment_id, instance.process_id)
    return {pid: name for pid, (name, _) in engine.process_files(loaded.specs).items()}
