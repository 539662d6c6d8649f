"""`flask processes check` refuses a form whose choices would show codes instead of Chinese labels."""

import json

from app.workflow.checks import check_files
from app.workflow.forms import enum_labels, unlabelled_enums

FORM = {"title": "表单", "type": "object", "properties": {
    "measure": {"title": "督办方式", "type": "string", "enum": ["reminder", "notice"]},
    "departments": {"title": "报到部门", "type": "array",
                    "items": {"type": "string", "enum": ["court", "hrss"]}},
    "people": {"title": "当事人", "type": "array", "items": {"type": "object", "properties": {
        "gender": {"title": "性别", "type": "string", "enum": ["male", "female"]}}}},
}}
UI = {"measure": {"ui:enumNames": ["电话催办", "书面通报"]},
      "departments": {"items": {"ui:enumNames": ["法院", "人社局"]}},
      "people": {"items": {"gender": {"ui:enumNames": ["男", "女"]}}}}


def _problems(forms: dict) -> list[str]:
    return [p.message for p in check_files({}, {}, {k: json.dumps(v) for k, v in forms.items()})]


def test_every_kind_of_choice_without_labels_is_refused():
    assert unlabelled_enums(FORM, {}) == ["measure", "departments", "people.[]gender"]
    messages = _problems({"f.json": FORM})
    assert len(messages) == 3 and all("缺少中文标签" in m for m in messages)


def test_labels_from_ui_hints_enum_names_or_one_of_are_accepted():
    assert _problems({"f.json": FORM, "f.uischema.json": UI}) == []
    one_of = {"type": "object", "properties": {"r": {"type": "string", "oneOf": [
        {"const": "a", "title": "甲"}, {"const": "b", "title": "乙"}]}}}
    assert unlabelled_enums(one_of, {}) == []
    assert enum_labels(FORM["properties"]["departments"], UI["departments"]) == {
        "court": "法院", "hrss": "人社局"}


def test_a_partly_labelled_enum_is_refused():
    ui = {**UI, "measure": {"ui:enumNames": ["电话催办"]}}
    assert unlabelled_enums(FORM, ui) == ["measure"]
