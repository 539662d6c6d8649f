"""Deploy-time checks: unsafe scripts refused with element ids; broken files with lines."""

import pytest

from app.unit_of_work import run_unit
from app.workflow.checks import check_files
from app.workflow.deploy import BundleRefused, FileSet, deploy_files
from app.workflow.models import Deployment
from tests.conftest import read_fixture_files

SCRIPT_PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  id="defs" targetNamespace="http://onedoor.example/test">
  <bpmn:process id="scripted" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>a</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="evil_script" name="脚本">
      <bpmn:incoming>a</bpmn:incoming><bpmn:outgoing>b</bpmn:outgoing>
      <bpmn:script>x = 1
{script}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:endEvent id="e"><bpmn:incoming>b</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="a" sourceRef="s" targetRef="evil_script" />
    <bpmn:sequenceFlow id="b" sourceRef="evil_script" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>
"""

CONDITION_PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  id="defs" targetNamespace="http://onedoor.example/test">
  <bpmn:process id="gated" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>a</bpmn:outgoing></bpmn:startEvent>
    <bpmn:exclusiveGateway id="gate" default="c"><bpmn:incoming>a</bpmn:incoming>
      <bpmn:outgoing>b</bpmn:outgoing><bpmn:outgoing>c</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:endEvent id="e1"><bpmn:incoming>b</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="e2"><bpmn:incoming>c</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="a" sourceRef="s" targetRef="gate" />
    <bpmn:sequenceFlow id="b" sourceRef="gate" targetRef="e1">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="c" sourceRef="gate" targetRef="e2" />
  </bpmn:process>
</bpmn:definitions>
"""

UNSAFE = [
    "import os",
    "open('/etc/passwd').read()",
    "y = ().__class__.__base__.__subclasses__()",
    "__import__('os').system('true')",
]


@pytest.mark.parametrize("script", UNSAFE)
def test_unsafe_script_is_refused_with_its_element_and_line(script):
    problems = check_files({"evil.bpmn": SCRIPT_PROCESS.format(script=script)}, {}, {})
    assert problems, script
    assert {p.element_id for p in problems} == {"evil_script"}
    assert {p.file for p in problems} == {"evil.bpmn"}
    # The script's second line sits on line 9 of the file.
    assert {p.line for p in problems} == {9}


@pytest.mark.parametrize("condition", ["__import__('os') is None", "open('x') is None",
                                       "().__class__ is None"])
def test_unsafe_condition_is_refused_with_the_flow_id(condition):
    problems = check_files({"gated.bpmn": CONDITION_PROCESS.format(condition=condition)}, {}, {})
    assert problems and {p.element_id for p in problems} == {"b"}


@pytest.mark.parametrize("script", UNSAFE)
def test_deploy_refuses_unsafe_scripts_and_writes_nothing(deployed, clock, script):
    from app.extensions import db  # noqa: PLC0415

    before = db.session.query(Deployment).count()
    files = read_fixture_files()
    files.bpmn["evil.bpmn"] = SCRIPT_PROCESS.format(script=script)
    with pytest.raises(BundleRefused) as refused:
        run_unit(lambda: deploy_files(files, now=clock.now()))
    assert any(p.element_id == "evil_script" for p in refused.value.problems)
    assert db.session.query(Deployment).count() == before


def test_safe_script_passes():
    assert check_files({"ok.bpmn": SCRIPT_PROCESS.format(script="y = x + 1")}, {}, {}) == []


def test_broken_xml_reports_its_line():
    broken = SCRIPT_PROCESS.format(script="y = 2").replace("</bpmn:scriptTask>", "", 1)
    [problem] = check_files({"broken.bpmn": broken}, {}, {})
    assert problem.file == "broken.bpmn" and problem.line is not None
    assert "XML 格式错误" in problem.message


def test_semantic_error_names_the_element_and_recovers_its_line():
    dangling = SCRIPT_PROCESS.format(script="y = 2").replace(
        'targetRef="e" />', 'targetRef="nowhere" />')
    problems = check_files({"dangling.bpmn": dangling}, {}, {})
    assert problems
    assert problems[0].element_id is not None and problems[0].line is not None


def test_missing_form_and_unknown_lane_are_reported():
    files = read_fixture_files()
    forms = {k: v for k, v in files.forms.items() if k != "mediate.json"}
    problems = check_files(files.bpmn, files.dmn, forms, known_lanes=["网格员"])
    messages = {(p.element_id, p.message) for p in problems}
    assert ("mediate", "引用的表单文件「mediate.json」不存在") in messages
    assert ("lane_township", "泳道「乡镇综治中心」没有对应的分派规则") in messages


def test_fileset_hash_changes_with_content():
    one = FileSet(bpmn={"a.bpmn": "x"})
    two = FileSet(bpmn={"a.bpmn": "y"})
    assert one.content_hash() != two.content_hash()
    assert one.content_hash() == FileSet(bpmn={"a.bpmn": "x"}).content_hash()
