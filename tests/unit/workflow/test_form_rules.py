"""Form rules come from the JSON Schema itself: required checkboxes (const), formats, if/then."""

import json
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from app.errors import ValidationFailed
from app.inbox.formrender import build_fields, conditions, parse_submission
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
