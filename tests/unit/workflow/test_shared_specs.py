"""Parsed specs are shared by every instance of a process: no run may depend on or change them.

Each case: run a step on specs this process parsed, then load the saved state with specs
parsed afresh (another worker) and go on; and check the shared specs are as parsed.
"""

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.util.task import TaskState

from app.workflow import engine
from app.workflow.registry import script_engine
from tests.processes.conftest import spec_fingerprint

EVENT_SUBPROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:message id="m_ping" name="ping" />
  <bpmn:process id="esp" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="work" name="办理">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
    <bpmn:subProcess id="on_ping" triggeredByEvent="true">
      <bpmn:startEvent id="ping_start" isInterrupting="false">
        <bpmn:outgoing>g1</bpmn:outgoing><bpmn:messageEventDefinition messageRef="m_ping" />
      </bpmn:startEvent>
      <bpmn:userTask id="answer" name="回复">
        <bpmn:incoming>g1</bpmn:incoming><bpmn:outgoing>g2</bpmn:outgoing>
      </bpmn:userTask>
      <bpmn:endEvent id="ping_end"><bpmn:incoming>g2</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="g1" sourceRef="ping_start" targetRef="answer" />
      <bpmn:sequenceFlow id="g2" sourceRef="answer" targetRef="ping_end" />
    </bpmn:subProcess>
  </bpmn:process>
</bpmn:definitions>
"""


def _parse():
    return engine.parse_specs("esp", {"esp.bpmn": EVENT_SUBPROCESS}, {})


def _ready(workflow) -> list[str]:
    return sorted(t.task_spec.bpmn_name for t in workflow.get_tasks(state=TaskState.READY, manual=True))


def test_a_triggered_event_subprocess_finishes_in_another_process_and_stays_out_of_new_instances():
    specs = _parse()
    as_parsed = spec_fingerprint(specs)
    first = engine.new_workflow(specs, {}, script_engine())
    engine.run_engine(first)
    ping = specs.subprocess_specs["on_ping"].task_specs["ping_start"].event_definition
    first.send_event(BpmnEvent(ping, {}, {}))
    engine.run_engine(first)
    assert _ready(first) == ["办理", "回复"]
    assert spec_fingerprint(specs) == as_parsed

    second = engine.new_workflow(specs, {}, script_engine())  # same process, a new instance
    engine.run_engine(second)
    assert _ready(second) == ["办理"]

    elsewhere = engine.deserialize(_parse(), engine.serialize(first), script_engine())
    for task in elsewhere.get_tasks(state=TaskState.READY, manual=True):
        engine.complete_user_task(elsewhere, str(task.id), {})
    assert engine.is_completed(elsewhere)
