"""Deploy checks added for designers: helpers called correctly, timers evaluate on sample data."""

from app.workflow.checks import check_files
from tests.designer.conftest import real_files

LADDER = "four_levels_seven_days.bpmn"


def problems_after(old: str, new: str):
    files = real_files()
    assert old in files.bpmn[LADDER]
    files.bpmn[LADDER] = files.bpmn[LADDER].replace(old, new)
    return check_files(files.bpmn, files.dmn, files.forms)


def test_real_processes_pass():
    files = real_files()
    assert check_files(files.bpmn, files.dmn, files.forms) == []


def test_unknown_deadline_rule_is_reported_at_its_element():
    [problem] = problems_after('rule_due("four_levels.county")', 'rule_due("four_levels.nowhere")')
    assert (problem.file, problem.element_id) == (LADDER, "county_handling")
    assert problem.message == "期限规则「four_levels.nowhere」不在期限规则表（deadlines.dmn）中"
    assert problem.line


def test_working_day_helper_arguments():
    found = problems_after('rule_due("four_levels.county")', 'add_working_days(now())')
    assert [p.message for p in found] == ["函数 add_working_days 需要 2 个参数，实际给了 1 个"]
    found = problems_after('rule_due("four_levels.county")', 'deadline(2, "day", "workday")')
    messages = [p.message for p in found]
    assert "函数 deadline 的第 3 个参数只能是 working 或 natural，不是「workday」" in messages


def test_timer_must_evaluate_to_an_iso_time_on_sample_data():
    timer = '<bpmn:timeDate xsi:type="bpmn:tFormalExpression">level_due</bpmn:timeDate>'
    [problem] = problems_after(timer, timer.replace("level_due", "add_working_days(now(), 2)"))
    assert problem.element_id == "level_timeout_def"
    assert "ISO 时间字符串" in problem.message
    assert problems_after(timer, timer.replace("level_due", '"PT2H"')) == []
