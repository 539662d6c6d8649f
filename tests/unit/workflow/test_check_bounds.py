"""The deploy check refuses visible resource bombs and is total (issue 12, fault 3).

Any input gives a list of Chinese problems with file, element id and line: never an
exception, never a hang.
"""

import time
from xml.sax.saxutils import escape

import pytest

from app.workflow.checks import check_files
from tests.unit.workflow.test_checks import CONDITION_PROCESS, SCRIPT_PROCESS

DUE_PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="defs" targetNamespace="http://onedoor.example/test">
  <bpmn:process id="due" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>a</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="handle" name="办理">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="dueAt" value="{due}" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>a</bpmn:incoming><bpmn:outgoing>b</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="e"><bpmn:incoming>b</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="a" sourceRef="s" targetRef="handle" />
    <bpmn:sequenceFlow id="b" sourceRef="handle" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>
"""

def _due(expression: str) -> str:
    return DUE_PROCESS.format(due=escape(expression, {'"': "&quot;"}))


VISIBLE_BOMBS = {
    "endless loop": "while True:\n    pass",
    "huge power": "y = 10 ** 10 ** 9",
    "huge repeat": "y = 'x' * 10 ** 9",
    "huge range": "y = list(range(10 ** 12))",
    "endless iterator": "y = list(iter(int, 1))",
    "mro": "raise ValueError.mro()[2]()",
}


@pytest.mark.parametrize("script", VISIBLE_BOMBS.values(), ids=VISIBLE_BOMBS.keys())
def test_visible_bombs_are_refused_with_element_and_line(script):
    started = time.monotonic()
    problems = check_files({"bomb.bpmn": SCRIPT_PROCESS.format(script=escape(script))}, {}, {})
    assert time.monotonic() - started < 2
    assert problems
    assert {(p.file, p.element_id) for p in problems} == {("bomb.bpmn", "evil_script")}
    assert all(p.line for p in problems)


def test_the_sample_evaluation_of_a_due_time_cannot_hang():
    started = time.monotonic()
    [problem] = check_files({"due.bpmn": _due("10 ** 10 ** 9")}, {}, {})
    assert time.monotonic() - started < 2
    assert problem.element_id == "handle"
    assert "过大" in problem.message


def test_a_due_time_slow_only_at_run_time_is_stopped_in_the_sample_evaluation():
    started = time.monotonic()
    problems = check_files(
        {"due.bpmn": _due('deadline(10 ** 6, "day", "working")')}, {}, {})
    assert time.monotonic() - started < 10
    assert [p.element_id for p in problems] == ["handle"]


NASTY_CONDITIONS = {
    "deeply nested": "(" * 300 + "1" + ")" * 300,
    "long chain": " + ".join(["amount"] * 6000),
    "very long": "amount == " + repr("x" * 50_000),
    "unary minus tower": "-" * 15000 + "1",
    "nested lists": "[" * 250 + "]" * 250,
    "NUL": "amount\x00",
}


@pytest.mark.parametrize("condition", NASTY_CONDITIONS.values(), ids=NASTY_CONDITIONS.keys())
def test_any_expression_gives_problems_never_a_traceback(condition):
    text = CONDITION_PROCESS.format(condition=escape(condition).replace("\x00", "&#0;"))
    started = time.monotonic()
    problems = check_files({"nasty.bpmn": text}, {}, {})
    assert time.monotonic() - started < 5
    assert problems
    assert all(p.file == "nasty.bpmn" and p.message for p in problems)


@pytest.mark.parametrize("text", [
    "", "not xml", "<a>" * 5000 + "</a>" * 5000, "<bpmn:definitions",
    CONDITION_PROCESS.replace('sourceRef="gate"', 'sourceRef="nowhere"', 1),
])
def test_any_file_gives_problems_never_a_traceback(text):
    problems = check_files({"broken.bpmn": text}, {"broken.dmn": text}, {})
    assert problems
    assert all(p.message for p in problems)
