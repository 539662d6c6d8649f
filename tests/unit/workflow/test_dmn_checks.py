"""Valid diagrams are accepted, and every expression is checked (issue 12, fault 4)."""

from pathlib import Path

import pytest

from app.workflow import engine, registry
from app.workflow.checks import check_files
from tests.unit.workflow.test_checks import SCRIPT_PROCESS

UNARY = Path(__file__).parents[2] / "fixtures" / "dmn_unary"


def _files(dmn_text: str | None = None):
    bpmn = {"age_band.bpmn": (UNARY / "age_band.bpmn").read_text()}
    dmn = {"age_band.dmn": dmn_text or (UNARY / "age_band.dmn").read_text()}
    return bpmn, dmn


def test_unary_tests_and_builtin_named_inputs_pass_the_check():
    bpmn, dmn = _files()
    assert check_files(bpmn, dmn, {}) == []


@pytest.mark.parametrize(("data", "band"), [
    ({"type": "person", "input": 12}, "minor"),
    ({"type": "person", "input": 40}, "adult"),
    ({"type": "company", "input": 10}, "young organisation"),
    ({"type": "company", "input": 30}, "other"),
])
def test_the_accepted_table_decides_as_checked(data, band):
    """What the check accepts runs in the sandboxed engine with the meaning it was checked in."""
    bpmn, dmn = _files()
    workflow = engine.new_workflow(engine.parse_specs("age_band_process", bpmn, dmn), data,
                                   registry.script_engine())
    engine.run_engine(workflow)
    assert engine.final_data(workflow)["band"] == band


def test_a_cell_the_engine_would_glue_to_its_column_is_refused_with_advice():
    bpmn, dmn = _files()
    [problem] = check_files(bpmn, {"age_band.dmn": dmn["age_band.dmn"].replace(
        '? in ("company"', 'in ("company"')}, {})
    assert problem.element_id == "r_between_type"
    assert "? in (...)" in problem.message


def test_a_range_the_engine_cannot_evaluate_is_refused():
    """SpiffWorkflow 3.2 evaluates cells as Python: FEEL ranges like [1..5] fail at run time."""
    bpmn, dmn = _files()
    problems = check_files(bpmn, {"age_band.dmn": dmn["age_band.dmn"].replace(
        "<![CDATA[>= 18]]>", "[18..150]")}, {})
    assert [p.element_id for p in problems] == ["r_adult_age"]


def test_unsafe_code_in_a_unary_test_is_still_refused():
    bpmn, dmn = _files()
    problems = check_files(bpmn, {"age_band.dmn": dmn["age_band.dmn"].replace(
        "<![CDATA[>= 18]]>", "&gt;= open('x').__class__")}, {})
    assert {p.element_id for p in problems} == {"r_adult_age"}


LOOP_AND_PAYLOAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="defs" targetNamespace="http://onedoor.example/test">
  <bpmn:message id="notice" name="notice" />
  <bpmn:process id="looping" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>a</bpmn:outgoing></bpmn:startEvent>
    <bpmn:task id="again"><bpmn:incoming>a</bpmn:incoming><bpmn:outgoing>b</bpmn:outgoing>
      <bpmn:standardLoopCharacteristics>
        <bpmn:loopCondition>{loop}</bpmn:loopCondition>
      </bpmn:standardLoopCharacteristics>
    </bpmn:task>
    <bpmn:intermediateThrowEvent id="tell"><bpmn:incoming>b</bpmn:incoming>
      <bpmn:outgoing>c</bpmn:outgoing>
      <bpmn:messageEventDefinition id="tell_def" messageRef="notice">
        <bpmn:extensionElements>
          <spiffworkflow:messagePayload>{payload}</spiffworkflow:messagePayload>
        </bpmn:extensionElements>
      </bpmn:messageEventDefinition>
    </bpmn:intermediateThrowEvent>
    <bpmn:endEvent id="e"><bpmn:incoming>c</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="a" sourceRef="s" targetRef="again" />
    <bpmn:sequenceFlow id="b" sourceRef="again" targetRef="tell" />
    <bpmn:sequenceFlow id="c" sourceRef="tell" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_loop_conditions_and_message_payloads_are_checked():
    bad = LOOP_AND_PAYLOAD.format(loop="__import__('os')", payload="open('/etc/passwd')")
    problems = check_files({"loop.bpmn": bad}, {}, {})
    assert {p.element_id for p in problems} == {"again", "tell_def"}
    assert all(p.line for p in problems)
    good = LOOP_AND_PAYLOAD.format(loop="count &gt; 3", payload='{"case": business_key}')
    assert [p for p in check_files({"loop.bpmn": good}, {}, {}) if "表达式" in p.message] == []


def test_script_checks_still_see_builtins_called():
    problems = check_files({"s.bpmn": SCRIPT_PROCESS.format(script="y = type(x)")}, {}, {})
    assert [p.element_id for p in problems] == ["evil_script"]
