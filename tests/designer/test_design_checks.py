"""Design checks on the real files: allowed DMN output values, reachable rules, gateways that
can leave a case stuck. The repository's own processes pass every one."""

import re

import pytest

from app.workflow.checks import check_files
from tests.designer.conftest import real_files

GRID_UNIT = '<outputEntry id="deadlines_r0_o1"><text>"day"</text>'
VILLAGE_CODE = '<inputEntry id="deadlines_r1_i0"><text>"four_levels.village"</text>'
FAILURE_FLOW = ('<bpmn:sequenceFlow id="to_failure" name="未化解" sourceRef="gw_outcome" '
                'targetRef="failure_record" />')


def checked(bpmn=None, dmn=None):
    files = real_files()
    return check_files({**files.bpmn, **(bpmn or {})}, {**files.dmn, **(dmn or {})}, files.forms)


def edited(kind: str, name: str, old: str, new: str) -> dict:
    text = getattr(real_files(), kind)[name]
    assert old in text
    return {name: text.replace(old, new)}


def test_the_repository_passes():
    assert checked() == []


@pytest.mark.parametrize(("column", "value"), [("o1", "week"), ("o2", "lunar")])
def test_a_deadline_unit_or_day_type_outside_the_calendar_is_refused(column, value):
    cell = f'<outputEntry id="deadlines_r0_{column}"><text>'
    text = real_files().dmn["deadlines.dmn"]
    start = text.index(cell) + len(cell)
    end = text.index("</text>", start)
    [problem] = checked(dmn={"deadlines.dmn": text[:start] + f'"{value}"' + text[end:]})
    assert (problem.file, problem.element_id) == ("deadlines.dmn", f"deadlines_r0_{column}")
    assert "「期限规则表」第 1 行" in problem.message and f"「{value}」不在允许的取值中" in problem.message


def test_a_columns_own_allowed_values_are_enforced():
    column = '<output id="deadlines_out_0" label="数量" name="amount" typeRef="integer" />'
    dmn = edited("dmn", "deadlines.dmn", column,
                 '<output id="deadlines_out_0" label="数量" name="amount" typeRef="integer">'
                 '<outputValues><text>1,2,30</text></outputValues></output>')
    amounts = re.findall(r'_o0"><text>(\d+)</text>', dmn["deadlines.dmn"])
    problems = checked(dmn=dmn)
    assert len(problems) == len([a for a in amounts if a not in ("1", "2", "30")]) > 0
    assert all(p.element_id.endswith("_o0") and "（只能是 1、2、30）" in p.message for p in problems)


def test_a_rule_shadowed_by_an_earlier_one_is_unreachable():
    [problem] = checked(dmn=edited("dmn", "deadlines.dmn", VILLAGE_CODE,
                                   VILLAGE_CODE.replace("four_levels.village", "four_levels.grid")))
    assert problem.element_id == "deadlines_r1"
    assert problem.message == "「期限规则表」第 2 行永远不会被用到：第 1 行已匹配它的全部输入"


def test_a_catch_all_row_before_others_makes_them_unreachable():
    problems = checked(dmn=edited("dmn", "deadlines.dmn", VILLAGE_CODE,
                                  VILLAGE_CODE.replace('"four_levels.village"', "-")))
    assert problems and all("第 2 行已匹配它的全部输入" in p.message for p in problems)
    assert len(problems) == len(real_files().dmn["deadlines.dmn"].split("<rule ")) - 3


def _gateway_without_default(condition: str) -> dict:
    bpmn = edited("bpmn", "dispute.bpmn", ' default="to_failure"', "")
    text = bpmn["dispute.bpmn"]
    assert FAILURE_FLOW in text, "the fixture's flow changed"
    return {"dispute.bpmn": text.replace(FAILURE_FLOW, FAILURE_FLOW[:-3] + '><bpmn:conditionExpression>'
                                         f'{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>')}


def test_a_gateway_without_default_whose_conditions_can_all_be_false_is_flagged():
    [problem] = checked(bpmn=_gateway_without_default('result == "failed"'))
    assert (problem.file, problem.element_id) == ("dispute.bpmn", "gw_outcome")
    assert "没有默认路径，所有条件可能同时不成立" in problem.message


def test_a_gateway_whose_conditions_negate_each_other_needs_no_default():
    bpmn = edited("bpmn", "four_levels_seven_days.bpmn", ' default="level_failed"', "")
    text = bpmn["four_levels_seven_days.bpmn"]
    flow = re.search(r'<bpmn:sequenceFlow id="level_failed"[^>]*?/>', text).group(0)
    text = text.replace(flow, flow[:-2] + '><bpmn:conditionExpression>not (result == "resolved")'
                        '</bpmn:conditionExpression></bpmn:sequenceFlow>')
    assert checked(bpmn={"four_levels_seven_days.bpmn": text}) == []
