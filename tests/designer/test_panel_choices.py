"""What the modeler's properties panel offers (forms by title, deadline rules by description,
lanes, departments, processes, decisions, each form's declared context), and the deploy check
that refuses a task sent to a fixed lane nobody is assigned to — the value the panel writes."""

from app.designer import drafts
from app.designer.panel_choices import panel_choices
from app.unit_of_work import run_unit
from app.workflow.checks import check_files
from tests.designer.conftest import LANES, real_files

LEVEL_LANE = '<spiffworkflow:property name="candidateLane" value="level_lane" />'


def test_the_panel_offers_what_a_deploy_of_the_draft_would_publish(org, clock, processes):
    draft = run_unit(lambda: drafts.create_draft("four_levels_seven_days", actor=org.actor("designer"),
                                                 now=clock.now()))
    choices = panel_choices(draft.id)
    forms = {c["value"]: c["label"] for c in choices["forms"]}
    assert forms["mediation_result.json"] == "调解结果" and "intake.uischema.json" not in forms
    assert {"value": "mediation_result.uischema.json", "label": "调解结果"} in choices["uiForms"]
    rules = {c["value"]: c["label"] for c in choices["rules"]}
    assert rules["four_levels.grid"] == "四级七天：网格员 1 个工作日"
    assert {c["value"] for c in choices["lanes"]} == set(LANES)
    assert {"value": "four_levels_seven_days", "label": "四级七天"} in choices["processes"]
    assert "deadlines" in {c["value"] for c in choices["decisions"]}
    assert choices["contexts"]["mediation_result.json"][0] == "前几级调解情况"
    assert choices["departments"] and all(c["label"] != c["value"] for c in choices["departments"])


def test_a_fixed_lane_without_an_assignment_rule_is_refused_like_a_lane_name():
    files = real_files()
    bpmn = files.bpmn["four_levels_seven_days.bpmn"]
    assert LEVEL_LANE in bpmn

    def problems(value):
        changed = {**files.bpmn, "four_levels_seven_days.bpmn": bpmn.replace(
            LEVEL_LANE, f"<spiffworkflow:property name=\"candidateLane\" value='{value}' />")}
        return [(p.element_id, p.message) for p in check_files(changed, files.dmn, files.forms, LANES)]

    assert problems('"无人泳道"') == [("level_mediation", "办理角色「无人泳道」没有对应的分派规则")]
    assert problems('"村调委会"') == []
    assert problems("level_lane") == []  # chosen by process data: checked when a case gets there
