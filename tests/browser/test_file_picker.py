"""Every file chooser reads in Chinese whatever the browser's own language is (Chromium draws its
native 「Choose File / No file chosen」 in the browser's UI language, not the page's): the native
input is off-screen, a 「选择文件」 button opens it, and the chosen file's name is written beside it."""

import pytest
from playwright.sync_api import expect

from tests.helpers import sign_in_page

PAGES = [("admin", "/admin/users/import", "import-file"),
         ("designer", "/designer/", "upload-files"),
         ("grid", "/grid/", "g-photo")]


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize(("username", "path", "input_id"), PAGES)
def test_a_file_chooser_is_a_chinese_button_and_names_the_chosen_file(
        live_server, page, screenshot, org, tmp_path, username, path, input_id, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in_page(page, live_server, username)
    page.goto(f"{live_server}{path}")
    picker = page.locator(f".file-pick:has(#{input_id})")
    button = picker.locator("label.file-button")
    expect(button).to_have_text("选择文件")
    expect(button).to_be_visible()
    expect(picker.locator(".file-name")).to_have_text("未选择文件")
    native = page.locator(f"#{input_id}")
    # Drawn nowhere (the browser's English text with it), yet in the form and focusable.
    box = native.bounding_box()
    assert box is not None and box["width"] <= 1 and box["height"] <= 1
    assert native.evaluate("e => getComputedStyle(e).opacity") == "0"
    chosen = tmp_path / "现场照片.png"
    chosen.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    native.set_input_files(str(chosen))
    expect(picker.locator(".file-name")).to_have_text("现场照片.png")
    native.focus()
    expect(native).to_be_focused()
    screenshot(page, f"file-picker-{username}-{width}")
