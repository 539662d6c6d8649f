"""`flask processes check` refuses a form whose choice field belongs to a vocabulary of app/vocab.py
(by its name, or by "x-vocabulary") but offers values the vocabulary does not have."""

import json
from pathlib import Path

from app.vocab import Category, Channel
from app.workflow.checks import check_files
from app.workflow.forms import off_vocabulary_enums

FORMS = Path(__file__).resolve().parents[3] / "forms"


def _form(**properties) -> dict:
    return {"title": "表单", "type": "object", "properties": properties}


def _problems(schema: dict, ui: dict) -> list[str]:
    return [p.message for p in check_files({}, {}, {"f.json": json.dumps(schema),
                                                   "f.uischema.json": json.dumps(ui)})]


def test_a_channel_outside_the_vocabulary_is_refused_with_its_chinese_name():
    schema = _form(channel={"type": "string", "enum": ["walk_in", "wechat"]})
    ui = {"channel": {"ui:enumNames": ["来访窗口", "微信"]}}
    assert off_vocabulary_enums(schema) == [("channel", "受理渠道", ["wechat"])]
    messages = _problems(schema, ui)
    assert len(messages) == 1 and "wechat" in messages[0] and "「受理渠道」词表" in messages[0]


def test_x_vocabulary_binds_any_field_name_and_nested_fields_by_path():
    schema = _form(kind={"type": "string", "enum": ["neighbour", "pets"], "x-vocabulary": "category"},
                   parties={"type": "array", "items": {"type": "object", "properties": {
                       "role": {"type": "string", "enum": ["applicant", "witness"]}}}})
    assert off_vocabulary_enums(schema) == [("kind", "纠纷类别", ["pets"]),
                                            ("parties.[]role", "当事人身份", ["witness"])]


def test_an_unknown_x_vocabulary_is_refused():
    schema = _form(kind={"type": "string", "enum": ["a"], "x-vocabulary": "colours"})
    assert off_vocabulary_enums(schema) == [("kind", "未知词表", ["a"])]


def test_a_subset_of_a_vocabulary_and_unbound_fields_pass():
    schema = _form(channel={"type": "string", "enum": ["walk_in", "grid"]},
                   colour={"type": "string", "enum": ["red", "wechat"]})
    assert off_vocabulary_enums(schema) == []


def test_the_shipped_intake_form_offers_exactly_the_vocabularies():
    intake = json.loads((FORMS / "intake.json").read_text(encoding="utf-8"))
    assert off_vocabulary_enums(intake) == []
    assert intake["properties"]["channel"]["enum"] == list(Channel.values())
    assert intake["properties"]["category"]["enum"] == list(Category.values())
    ui = json.loads((FORMS / "intake.uischema.json").read_text(encoding="utf-8"))
    assert ui["category"]["ui:enumNames"] == [c.label for c in Category]
    assert ui["channel"]["ui:enumNames"] == [c.label for c in Channel]
