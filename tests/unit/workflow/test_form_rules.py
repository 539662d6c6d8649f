"""Form rules come from the JSON Schema itself: required checkboxes (const), formats, if/then,
and our date keywords (x-not-before, x-not-future)."""

import json
from datetime import date
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from app.errors import ValidationFailed
from app.inbox.formrender import build_fields, conditions, parse_submission
from app.workflow.checks import check_files
from app.workflow.forms import validate_submission

FORMS = Path(__file__).resolve().parents[3] / "forms"


def form(name: str) -> dict:
    return json.loads((FORMS / name).read_text())


def test_a_required_checkbox_must_be_ticked_and_every_error_shows_at_once():
    with pytest.raises(ValidationFailed) as failed:
        validate_submission(form("failure_record.json"), {"parties_informed": False})
    errors = failed.value.errors
    assert errors["parties_informed"] == ["请勾选「已告知当事人后续途径」"]
    assert len(errors) >= 2


def test_the_agreement_block_follows_the_schemas_if_then_on_page_and_server():
    schema = form("mediation_result.json")
    assert conditions(schema) == {"agreement": ("result", "resolved")}
    [agreement] = [f for f in build_fields(schema, {}, {}, {}) if f.name == "agreement"]
    assert agreement.when == ("result", "resolved")
    posted = MultiDict({"result": "failed", "summary": "双方分歧较大，本级无法化解",
                        "agreement.parties.0.name": "张三"})
    assert parse_submission(schema, posted) == {"result": "failed", "summary": "双方分歧较大，本级无法化解"}
    posted["result"] = "resolved"
    assert "agreement" in parse_submission(schema, posted)
    with pytest.raises(ValidationFailed) as failed:
        validate_submission(schema, parse_submission(schema, posted))
    assert "agreement.facts" in failed.value.errors


def test_conditional_sections_in_allof_are_shown_and_kept_only_while_their_condition_holds():
    schema = form("return_visit.json")  # two yes/no questions, each with its own detail field
    assert conditions(schema) == {"new_signs_detail": ("new_signs", "true"),
                                  "abnormal_detail": ("abnormal_behaviour", "true")}
    shown = {f.name: f.when for f in build_fields(schema, {}, {}, {})}
    assert shown["new_signs_detail"] == ("new_signs", "true") and shown["state_of_mind"] is None
    posted = MultiDict({"new_signs": "on", "new_signs_detail": "又起争执",
                        "abnormal_detail": "未勾选时不保留"})
    data = parse_submission(schema, posted)
    assert data["new_signs_detail"] == "又起争执" and "abnormal_detail" not in data
    designer = {"type": "object", "required": ["kind"], "properties": {
        "kind": {"title": "类别", "type": "string", "oneOf": [{"const": "a", "title": "甲"},
                                                           {"const": "b", "title": "乙"}]},
        "a_note": {"title": "甲说明", "type": "string"}, "b_note": {"title": "乙说明", "type": "string"}},
        "allOf": [{"if": {"properties": {"kind": {"const": "a"}}, "required": ["kind"]},
                   "then": {"required": ["a_note"]}},
                  {"if": {"properties": {"kind": {"const": "b"}}, "required": ["kind"]},
                   "then": {"required": ["b_note"]}}]}
    assert conditions(designer) == {"a_note": ("kind", "a"), "b_note": ("kind", "b")}
    posted = MultiDict({"kind": "b", "a_note": "甲", "b_note": "乙"})
    assert parse_submission(designer, posted) == {"kind": "b", "b_note": "乙"}
    with pytest.raises(ValidationFailed) as failed:
        validate_submission(designer, {"kind": "a"})
    assert "a_note" in failed.value.errors


@pytest.mark.parametrize(("value", "valid"), [("620702198001011231", True), ("11010519491231002x", True),
                                              ("620702198001011234", False), ("62070219800101123", False)])
def test_id_number_format(value, valid):
    schema = {"type": "object", "properties": {"id": {"title": "身份证号", "type": "string",
                                                      "format": "cn-id-number"}}}
    if valid:
        assert validate_submission(schema, {"id": value}) == {"id": value}
    else:
        with pytest.raises(ValidationFailed) as failed:
            validate_submission(schema, {"id": value})
        assert "不是有效的身份证号" in failed.value.errors["id"][0]


AGREEMENT = {"parties": [{"name": "张三"}, {"name": "李四"}], "facts": "排水沟堵塞致邻居院内积水",
             "responsibility": "张三承担主要责任", "terms": "张三疏通排水沟并赔偿五百元",
             "performance_method": "现金支付", "apply_judicial_confirmation": False}
TODAY = date(2026, 3, 2)


def mediation(**dates) -> dict:
    return {"result": "resolved", "summary": "双方达成一致意见",
            "agreement": {**AGREEMENT, **dates}}


def test_the_deadline_may_not_precede_the_signing_and_the_signing_may_not_lie_ahead():
    schema = form("mediation_result.json")
    with pytest.raises(ValidationFailed) as failed:
        validate_submission(schema, {**mediation(performance_deadline="2026-03-01",
                                                 agreement_signed_on="2026-03-03"), "summary": "短"},
                            today=TODAY)
    errors = failed.value.errors
    assert errors["agreement.performance_deadline"] == ["「履行期限」不能早于「协议签订日期」"]
    assert errors["agreement.agreement_signed_on"] == ["「协议签订日期」不能晚于今天"]
    assert errors["summary"] == ["「调解情况」至少需要 5 个字"]  # every error of the submit at once


@pytest.mark.parametrize(("deadline", "signed"), [("2026-03-02", "2026-03-02"), ("2026-04-01", "2026-02-27")])
def test_dates_in_order_pass(deadline, signed):
    data = mediation(performance_deadline=deadline, agreement_signed_on=signed)
    assert validate_submission(form("mediation_result.json"), data, today=TODAY) == data


def test_a_bad_date_is_reported_once_by_its_format_not_by_the_rule():
    data = mediation(performance_deadline="2026-02-30", agreement_signed_on="2026-03-01")
    with pytest.raises(ValidationFailed) as failed:
        validate_submission(form("mediation_result.json"), data, today=TODAY)
    assert failed.value.errors == {"agreement.performance_deadline": ["「履行期限」请填写有效日期"]}


def test_the_page_gets_the_same_rules_and_messages_from_the_schema():
    [agreement] = [f for f in build_fields(form("mediation_result.json"), {}, {}, {})
                   if f.name == "agreement"]
    by_name = {f.name: f for f in agreement.children}
    deadline = by_name["agreement.performance_deadline"].attrs
    assert deadline["data-not-before"] == "agreement.agreement_signed_on"
    assert deadline["data-not-before-message"] == "「履行期限」不能早于「协议签订日期」"
    signed = by_name["agreement.agreement_signed_on"].attrs
    assert signed["data-not-future-message"] == "「协议签订日期」不能晚于今天"


def test_the_processes_check_refuses_a_rule_naming_a_missing_field():
    schema = form("mediation_result.json")
    schema["properties"]["agreement"]["properties"]["performance_deadline"]["x-not-before"] = "signed"
    schema["properties"]["agreement"]["properties"]["agreement_signed_on"]["x-not-future"] = "yes"
    ui = (FORMS / "mediation_result.uischema.json").read_text()
    problems = check_files({}, {}, {"mediation_result.json": json.dumps(schema),
                                    "mediation_result.uischema.json": ui})
    paths = {(p.element_id, p.message.split("」")[0]) for p in problems}
    assert paths == {("agreement.performance_deadline", "「agreement.performance_deadline"),
                     ("agreement.agreement_signed_on", "「agreement.agreement_signed_on")}
    assert check_files({}, {}, {"mediation_result.json": json.dumps(form("mediation_result.json")),
                                "mediation_result.uischema.json": ui}) == []
