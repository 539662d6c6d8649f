"""Deploy checks added for designers: helpers called correctly, timers evaluate on sample data."""

import io
import time
from xml.sax.saxutils import escape

import pytest

from app.workflow.checks import check_files
from tests.conftest import FIXTURES
from tests.designer.conftest import real_files
from tests.helpers import sign_in

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


# --- issue 12: the upload is total, parses each file once, takes Camunda's multi-instance -------

@pytest.fixture(autouse=True)
def no_csrf(request):
    """Upload tests post the form directly (CSRF is tested in tests/functional)."""
    if "client" in request.fixturenames:
        request.getfixturevalue("app").config["WTF_CSRF_ENABLED"] = False


def _upload(client, name: str, text: str):
    sign_in(client, "designer")
    return client.post("/designer/upload", data={
        "files": (io.BytesIO(text.encode()), name), "merge": "1"},
        content_type="multipart/form-data")


@pytest.mark.parametrize("expression", [
    "(" * 300 + "1" + ")" * 300, " + ".join(["level_due"] * 6000), "-" * 15000 + "1",
    "10 ** 10 ** 9",
])
def test_a_nasty_timer_expression_is_a_422_with_its_element_not_a_500(client, processes,
                                                                      expression):
    timer = '<bpmn:timeDate xsi:type="bpmn:tFormalExpression">level_due</bpmn:timeDate>'
    text = real_files().bpmn[LADDER].replace(timer, timer.replace("level_due", escape(expression)))
    started = time.monotonic()
    response = _upload(client, LADDER, text)
    assert time.monotonic() - started < 10
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page[-2000:]
    assert "level_timeout_def" in page and LADDER in page


def _annotated(count: int) -> str:
    notes = "".join(f'<bpmn:textAnnotation id="note_{i}"><bpmn:text>备注 {i}</bpmn:text>'
                    "</bpmn:textAnnotation>" for i in range(count))
    return ('<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions '
            'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="annotated_defs" '
            'targetNamespace="http://onedoor.example/test"><bpmn:process id="annotated" '
            'isExecutable="true"><bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>'
            '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e"/>'
            f"{notes}</bpmn:process></bpmn:definitions>")


def test_an_upload_parses_each_file_once(client, processes, monkeypatch):
    from app.workflow.parser import OneDoorParser  # noqa: PLC0415

    parsed: list[str] = []
    original = OneDoorParser.add_bpmn_xml

    def counting(self, bpmn, filename=None):
        parsed.append(filename)
        return original(self, bpmn, filename)

    monkeypatch.setattr(OneDoorParser, "add_bpmn_xml", counting)
    response = _upload(client, "annotated.bpmn", _annotated(2000))
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    assert parsed.count("annotated.bpmn") == 1
    assert max(parsed.count(name) for name in set(parsed)) == 1


def test_a_camunda_multi_instance_collection_deploys_through_the_upload(client, processes):
    text = (FIXTURES / "camunda" / "department_opinions.bpmn").read_text()
    response = _upload(client, "department_opinions.bpmn", text)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
