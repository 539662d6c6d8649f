"""JSON Schema forms rendered as fields, and posted fields parsed back."""

from werkzeug.datastructures import MultiDict

from app.inbox.formrender import build_fields, parse_submission

SCHEMA = {
    "type": "object",
    "required": ["title", "parties"],
    "properties": {
        "title": {"title": "案件标题", "type": "string", "maxLength": 100},
        "narrative": {"title": "情况", "type": "string", "maxLength": 5000},
        "amount": {"title": "金额", "type": "number", "minimum": 0},
        "people": {"title": "人数", "type": "integer"},
        "urgent": {"title": "紧急", "type": "boolean"},
        "tier": {"title": "风险", "type": "string", "enum": ["red", "blue"]},
        "category": {"title": "类别", "type": "string",
                     "oneOf": [{"const": c, "title": t} for c, t in
                               [("labour", "劳动争议"), ("medical", "医疗"), ("traffic", "道路交通"),
                                ("other", "其它")]]},
        "signs": {"title": "迹象", "type": "array", "items": {"type": "string", "enum": ["a", "b"]}},
        "parties": {"title": "当事人", "type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["name"],
            "properties": {"name": {"title": "姓名", "type": "string"},
                           "phone": {"title": "电话", "type": "string"}}}},
        "agreement": {"title": "协议", "type": "object", "properties": {
            "terms": {"title": "条款", "type": "string"}}},
    },
}
UI = {"ui:order": ["parties", "title"], "tier": {"ui:enumNames": ["红色", "蓝色"]},
      "narrative": {"ui:help": "写清时间地点"}}


def test_fields_follow_ui_order_and_pick_widgets():
    fields = build_fields(SCHEMA, UI, {"parties": [{"name": "张三"}]}, {"title": ["请填写「案件标题」"]})
    by_name = {f.name: f for f in fields}
    assert [f.name for f in fields][:2] == ["parties", "title"]
    assert by_name["title"].required and by_name["title"].errors == ["请填写「案件标题」"]
    assert by_name["narrative"].widget == "textarea" and by_name["narrative"].help == "写清时间地点"
    assert by_name["tier"].widget == "radio"
    assert by_name["tier"].options == [("red", "红色"), ("blue", "蓝色")]
    assert by_name["category"].widget == "select" and ("labour", "劳动争议") in by_name["category"].options
    assert by_name["signs"].widget == "checkboxes"
    assert by_name["urgent"].widget == "checkbox" and by_name["people"].widget == "integer"
    parties = by_name["parties"]
    assert parties.widget == "table" and len(parties.rows) == 2  # one filled + one spare
    assert parties.rows[0][0].name == "parties.0.name" and parties.rows[0][0].value == "张三"
    assert [c.name for c in by_name["agreement"].children] == ["agreement.terms"]


def test_posted_fields_are_rebuilt_and_typed():
    form = MultiDict([("title", " 邻里纠纷 "), ("amount", "1200.5"), ("people", "3"),
                      ("urgent", "on"), ("tier", "red"), ("signs", "a"), ("signs", "b"),
                      ("parties.0.name", "张三"), ("parties.0.phone", "13800000000"),
                      ("parties.1.name", ""), ("parties.1.phone", ""),
                      ("agreement.terms", "分期付款"), ("narrative", "")])
    assert parse_submission(SCHEMA, form) == {
        "title": "邻里纠纷", "amount": 1200.5, "people": 3, "urgent": True, "tier": "red",
        "signs": ["a", "b"], "parties": [{"name": "张三", "phone": "13800000000"}],
        "agreement": {"terms": "分期付款"}}


def test_unconvertible_numbers_are_left_for_the_validator():
    assert parse_submission(SCHEMA, MultiDict([("people", "三个")]))["people"] == "三个"
    assert parse_submission(SCHEMA, MultiDict([]))["urgent"] is False


def test_an_untouched_group_with_only_unticked_boxes_is_left_out():
    schema = {"type": "object", "properties": {"agreement": {"type": "object", "properties": {
        "terms": {"type": "string"}, "judicial": {"type": "boolean"}}}}}
    assert parse_submission(schema, MultiDict([("agreement.terms", "")])) == {}
    assert parse_submission(schema, MultiDict([("agreement.terms", "分期")])) == {
        "agreement": {"terms": "分期", "judicial": False}}
