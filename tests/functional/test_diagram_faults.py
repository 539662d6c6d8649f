"""A diagram fault during a person's step: bounded, answered 409 with a Chinese message (never a
500), nothing of the step written, and the fault audited for the designers.

The diagram is an automatic loop with no wait state (script task → gateway → back): each
script is tiny, so no per-evaluation bound stops it; the engine run's step budget
(`ONEDOOR_MAX_ENGINE_STEPS`) does.
"""

import dataclasses

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.errors import ProcessFault
from app.extensions import db
from app.unit_of_work import run_unit
from app.workflow import engine, services
from app.workflow.deploy import FileSet, deploy_files
from app.workflow.limits import EngineStepsExceeded
from app.workflow.models import HumanTask, ProcessInstance, TaskState

SPIN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  id="spin_defs" targetNamespace="http://onedoor.example/test">
  <bpmn:process id="spin" isExecutable="true">
    <bpmn:laneSet id="spin_lanes"><bpmn:lane id="lane_township" name="乡镇综治中心">
      <bpmn:flowNodeRef>s</bpmn:flowNodeRef><bpmn:flowNodeRef>ask</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>tick</bpmn:flowNodeRef><bpmn:flowNodeRef>more</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>e</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="s"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="ask" name="填写"><bpmn:incoming>f0</bpmn:incoming>
      <bpmn:outgoing>f1</bpmn:outgoing></bpmn:userTask>
    <bpmn:scriptTask id="tick" name="计数"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:incoming>again</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>n = 1</bpmn:script></bpmn:scriptTask>
    <bpmn:exclusiveGateway id="more" default="again"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>again</bpmn:outgoing><bpmn:outgoing>out</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="e"><bpmn:incoming>out</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="ask" />
    <bpmn:sequenceFlow id="f1" sourceRef="ask" targetRef="tick" />
    <bpmn:sequenceFlow id="f2" sourceRef="tick" targetRef="more" />
    <bpmn:sequenceFlow id="again" sourceRef="more" targetRef="tick" />
    <bpmn:sequenceFlow id="out" sourceRef="more" targetRef="e">
      <bpmn:conditionExpression>n &lt; 0</bpmn:conditionExpression></bpmn:sequenceFlow>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def spinning_task(app, org, clock):
    """An instance of `spin` waiting at its user task, claimed by the township mediator."""
    files = FileSet()
    files.bpmn["spin.bpmn"] = SPIN
    run_unit(lambda: deploy_files(files, now=clock.now()))
    instance = run_unit(lambda: services.start_instance(
        "spin", business_key="SPIN-1", org_unit_id=org.unit("zy-1-1").id, data={}, clock=clock))
    task = db.session.scalar(select(HumanTask).where(HumanTask.instance_id == instance.id))
    return instance.id, task.id


@pytest.fixture
def small_budget(monkeypatch):
    """200 automatic steps per engine run (the default is 10,000: SpiffWorkflow itself gives up
    on this loop after ~1,000 steps per run, saving a bigger tree each time)."""
    monkeypatch.setattr(engine, "LIMITS", dataclasses.replace(engine.LIMITS, max_engine_steps=200))


def test_an_endless_automatic_loop_is_stopped_by_the_step_budget(small_budget, spinning_task, org, clock):
    instance_id, task_id = spinning_task
    actor = org.actor("mediator")
    version = db.session.get(ProcessInstance, instance_id).version
    state = db.session.get(ProcessInstance, instance_id).state
    db.session.expire_all()
    with pytest.raises(ProcessFault) as caught:
        run_unit(lambda: services.complete_task(task_id, {}, actor=actor, clock=clock, claim=True))
    assert caught.value.http_status == 409
    assert "流程自动环节连续执行超过" in caught.value.message
    db.session.expire_all()
    # nothing of the step was written: same version and state, the task still open and unclaimed
    instance = db.session.get(ProcessInstance, instance_id)
    assert (instance.version, instance.state) == (version, state)
    task = db.session.get(HumanTask, task_id)
    assert task.state is TaskState.READY and task.assignee_id is None
    [fault] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "instance.fault")).all()
    assert fault.instance_id == instance_id
    assert fault.summary["limit"] == EngineStepsExceeded.__name__ and fault.summary["bpmn_id"] == "ask"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "task.completed")) == 0


def test_the_api_answers_409_with_the_message(small_budget, spinning_task, app, org, clock):
    from app.api import keys  # noqa: PLC0415

    _, task_id = spinning_task
    _, secret = run_unit(lambda: keys.create_token("mediator", "测试", clock.now()))
    answer = app.test_client().post(f"/api/v1/tasks/{task_id}/complete", json={"claim": True, "data": {}},
                                    headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 409, answer.json
    assert answer.json["code"] == "process_fault"
    assert "请联系流程设计人员" in answer.json["message"]
