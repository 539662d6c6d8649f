"""The files in processes/ and forms/: checks pass, layout is complete, lanes and rules resolve."""

import re

import pytest
from lxml import etree

from app.org.demo import DEFAULT_LANES
from app.workflow.checks import check_files
from app.workflow.deploy import read_directories
from app.workflow.registry import parse_deadline_rules
from tests.processes.conftest import ROOT

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
DI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
FLOW_NODES = ("startEvent", "endEvent", "intermediateCatchEvent", "boundaryEvent", "userTask", "scriptTask",
              "businessRuleTask", "callActivity", "exclusiveGateway", "parallelGateway", "subProcess")
FILES = read_directories(ROOT / "processes", ROOT / "forms")
LANES = {lane for lane, *_ in DEFAULT_LANES}


def _dmn_outputs(name: str, output: str) -> list[str]:
    root = etree.fromstring(FILES.dmn[name].encode())
    table = next(root.iter("{*}decisionTable"))
    index = [o.get("name") for o in table.findall("{*}output")].index(output)
    return [eval(row.findall("{*}outputEntry")[index].findtext("{*}text"))  # noqa: S307 - literals
            for row in table.findall("{*}rule")]


def test_every_file_passes_the_deploy_checks():
    assert check_files(FILES.bpmn, FILES.dmn, FILES.forms, LANES) == []


def test_the_cli_check_passes(runner):
    result = runner.invoke(args=["processes", "check", "--no-db"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("name", sorted(FILES.bpmn))
def test_every_element_has_its_shape_or_edge(name):
    root = etree.fromstring(FILES.bpmn[name].encode())
    drawn = {el.get("bpmnElement") for el in root.iter(f"{DI}BPMNShape", f"{DI}BPMNEdge")}
    elements = [el.get("id") for tag in (*FLOW_NODES, "lane", "participant", "sequenceFlow")
                for el in root.iter(f"{BPMN}{tag}")]
    assert elements and set(elements) <= drawn, set(elements) - drawn
    plane = next(root.iter(f"{DI}BPMNPlane"))
    assert plane.get("bpmnElement") == next(root.iter(f"{BPMN}collaboration")).get("id")


@pytest.mark.parametrize("name", sorted(FILES.bpmn))
def test_lanes_have_assignment_rules(name):
    root = etree.fromstring(FILES.bpmn[name].encode())
    assert {lane.get("name") for lane in root.iter(f"{BPMN}lane")} <= LANES


def test_four_levels_table_names_known_lanes_and_rules():
    rules = parse_deadline_rules(FILES.dmn)
    assert _dmn_outputs("four_levels.dmn", "level_lanes") == [
        "网格员", "村调委会", "乡镇综治中心", "乡镇党委政府"]
    assert [(rules[code].amount, rules[code].day_type) for code in
            _dmn_outputs("four_levels.dmn", "level_rules")] == [(1, "working"), (2, "working"),
                                                                 (2, "working"), (2, "working")]


def test_every_deadline_rule_used_is_in_the_table():
    rules = parse_deadline_rules(FILES.dmn)
    used = {code for text in FILES.bpmn.values() for code in re.findall(r'rule_due\("([^"]+)"', text)}
    used |= set(_dmn_outputs("routing.dmn", "route_rule"))
    assert used and used <= set(rules), used - set(rules)
    assert all(rule.unit in ("day", "hour") and rule.day_type in ("working", "natural")
               for rule in rules.values())


def test_routing_names_known_departments(org):
    from app.org.demo import DEPARTMENTS  # noqa: PLC0415

    codes = {code for code, *_ in DEPARTMENTS}
    assert set(_dmn_outputs("routing.dmn", "department")) - {""} <= codes


def test_a_broken_copy_fails_with_element_ids():
    bpmn = dict(FILES.bpmn)
    bpmn["four_levels_seven_days.bpmn"] = bpmn["four_levels_seven_days.bpmn"].replace(
        'level_start = ""\nlevel_index', 'import os\nlevel_start = ""\nlevel_index', 1)
    problems = check_files(bpmn, FILES.dmn, FILES.forms)
    assert [(p.file, p.element_id) for p in problems] == [("four_levels_seven_days.bpmn", "give_up")]
    assert "不允许导入模块" in problems[0].message and problems[0].line

    bpmn = dict(FILES.bpmn)
    bpmn["dispute.bpmn"] = bpmn["dispute.bpmn"].replace(
        'sourceRef="classify" targetRef="gw_route"', 'sourceRef="classify" targetRef="gw_missing"')
    problems = check_files(bpmn, FILES.dmn, FILES.forms)
    assert [(p.file, p.element_id) for p in problems] == [("dispute.bpmn", "classify")]
