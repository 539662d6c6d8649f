"""The form designer: fields listed from the JSON, a new choice field added with Chinese labels,
made required and moved up, the live preview drawn by the task pages' renderer, the raw JSON in
step, and the change saved in the draft."""

import json

from playwright.sync_api import expect

from app.designer.models import ProcessDraft
from app.extensions import db
from tests.helpers import sign_in_page


def test_add_a_choice_field_reorder_and_preview(live_server, page, screenshot, processes):  # noqa: F811
    sign_in_page(page, live_server, "designer")
    page.goto(f"{live_server}/designer/")
    page.get_by_role("button", name="在线编辑 四级七天").click()
    page.wait_for_selector("#modeler-app[data-ready=true]")
    page.get_by_role("link", name="mediation_result.json", exact=True).click()
    fields = page.locator("#fd-list li")
    fields.first.wait_for()
    assert [fields.nth(i).get_attribute("data-key") for i in range(fields.count())] == [
        "result", "summary", "agreement"]
    assert page.get_by_label("选项（每行 值=显示文字）（第 1 个字段）").input_value() == (
        "resolved=调解成功\nfailed=调解不成 / 上交上一级")
    preview = page.locator("#form-preview")
    preview.get_by_text("调解成功", exact=True).wait_for()  # enum labels from the display-hints file

    page.get_by_role("button", name="添加字段").click()
    page.get_by_label("字段名（第 4 个字段）").fill("visit_way")
    page.get_by_label("字段名（第 4 个字段）").press("Tab")
    page.get_by_label("标题（第 4 个字段）").fill("回访方式")
    page.get_by_label("标题（第 4 个字段）").press("Tab")
    page.get_by_label("类型（第 4 个字段）").select_option(label="单选")
    page.get_by_label("选项（每行 值=显示文字）（第 4 个字段）").fill("home=上门回访\nphone=电话回访")
    page.get_by_label("选项（每行 值=显示文字）（第 4 个字段）").press("Tab")
    page.get_by_label("必填（第 4 个字段）").check()
    page.get_by_role("button", name="上移 回访方式").click()
    preview.get_by_text("电话回访", exact=True).wait_for()
    assert "回访方式" in preview.inner_text()
    screenshot(page, "form-designer")

    schema = json.loads(page.locator("#form-text").input_value())
    assert list(schema["properties"]) == ["result", "summary", "visit_way", "agreement"]
    assert schema["properties"]["visit_way"] == {"title": "回访方式", "type": "string", "oneOf": [
        {"const": "home", "title": "上门回访"}, {"const": "phone", "title": "电话回访"}]}
    assert schema["required"] == ["result", "summary", "visit_way"]
    assert schema["properties"]["result"]["enum"] == ["resolved", "failed"]  # untouched fields stay

    page.get_by_role("button", name="保存草稿").click()
    page.locator("#status", has_text="草稿已保存").wait_for()
    db.session.expire_all()
    saved = json.loads(db.session.get(ProcessDraft, 1).files["mediation_result.json"])
    assert saved["properties"]["visit_way"]["oneOf"][1] == {"const": "phone", "title": "电话回访"}
    page.get_by_role("button", name="检查").click()
    page.locator("#problems .ok", has_text="检查通过").wait_for()


def test_a_conditional_section_is_written_as_if_then_and_the_preview_follows_it(
        live_server, page, screenshot, processes):  # noqa: F811
    sign_in_page(page, live_server, "designer")
    page.goto(f"{live_server}/designer/")
    page.get_by_role("button", name="在线编辑 四级七天").click()
    page.wait_for_selector("#modeler-app[data-ready=true]")
    page.get_by_role("link", name="mediation_result.json", exact=True).click()
    page.locator("#fd-list li").first.wait_for()
    # The form's own if/then is read back: the agreement block is shown only on 调解成功.
    condition = page.get_by_label("显示条件（第 3 个字段）")
    expect(condition.locator("option:checked")).to_have_text("仅当「调解结果」为「调解成功」时显示")

    page.get_by_role("button", name="添加字段").click()
    page.get_by_label("标题（第 4 个字段）").fill("上交原因")
    page.get_by_label("标题（第 4 个字段）").press("Tab")
    page.get_by_label("显示条件（第 4 个字段）").select_option(
        label="仅当「调解结果」为「调解不成 / 上交上一级」时显示")
    expect(page.get_by_label("条件满足时必填（第 4 个字段）")).to_be_disabled()

    schema = json.loads(page.locator("#form-text").input_value())
    assert schema["if"] == {"properties": {"result": {"const": "resolved"}}, "required": ["result"]}
    assert schema["then"] == {"required": ["agreement"]}
    assert schema["allOf"] == [{"if": {"properties": {"result": {"const": "failed"}}, "required": ["result"]},
                                "then": {"required": ["field_4"]}}]
    assert "field_4" not in schema["required"]

    preview = page.locator("#form-preview")
    reason = preview.locator("[data-when-name=result][data-when-value=failed]", has_text="上交原因")
    expect(reason).to_have_count(1)
    expect(reason).to_be_hidden()
    expect(preview.locator("#f-agreement")).to_be_hidden()
    preview.get_by_label("调解不成 / 上交上一级").check()
    expect(reason).to_be_visible()
    expect(preview.locator("#f-agreement")).to_be_hidden()
    screenshot(page, "form-designer-condition")
    preview.get_by_label("调解成功").check()
    expect(reason).to_be_hidden()
    expect(preview.locator("#f-agreement")).to_be_visible()

    page.get_by_label("显示条件（第 4 个字段）").select_option(label="始终显示")
    schema = json.loads(page.locator("#form-text").input_value())
    assert "allOf" not in schema and schema["then"] == {"required": ["agreement"]}
    expect(preview.locator("[data-when-value=failed]")).to_have_count(0)
    expect(preview.get_by_text("上交原因")).to_be_visible()
    page.get_by_label("显示条件（第 4 个字段）").select_option(
        label="仅当「调解结果」为「调解不成 / 上交上一级」时显示")
    page.get_by_role("button", name="保存草稿").click()
    page.locator("#status", has_text="草稿已保存").wait_for()
    db.session.expire_all()
    saved = json.loads(db.session.get(ProcessDraft, 1).files["mediation_result.json"])
    assert saved["allOf"][0]["then"] == {"required": ["field_4"]}
    page.get_by_role("button", name="检查").click()
    page.locator("#problems .ok", has_text="检查通过").wait_for()
