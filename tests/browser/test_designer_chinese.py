"""The modeler speaks Chinese: every visible text node (and every palette and context-pad
tooltip) of the BPMN modeler, its replace menu, the decision table with its hit policy and
context menu, and the decision diagram is walked and none is English. File names and what the
designer typed into cells (code the engine reads) are exempt, marked translate="no" or editable.
The properties panel is walked open on a user task, a timer event and a gateway.
Also: neither the palette nor the panel covers any part of the diagram, and the decision table
gets the full width."""

from playwright.sync_api import expect

from tests.browser.test_designer_edits import open_deadlines
from tests.helpers import sign_in_page

ENGLISH_TEXT = """() => {
  const found = [];
  const exempt = el => el.closest('[translate="no"], [contenteditable], script, style, code');
  const visible = el => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (/[A-Za-z]{2,}/.test(node.textContent) && !exempt(el) && visible(el)) {
      found.push(node.textContent.trim());
    }
  }
  document.querySelectorAll('.djs-palette [title], .djs-context-pad [title], .djs-popup [title]')
    .forEach(el => { if (/[A-Za-z]{2,}/.test(el.title)) { found.push('title: ' + el.title); } });
  return found;
}"""


def english(page) -> list[str]:
    return page.evaluate(ENGLISH_TEXT)


def overlaps(page) -> list[str]:
    return page.evaluate("""() => {
      const p = document.querySelector('#canvas .djs-palette').getBoundingClientRect();
      return [...document.querySelectorAll('#canvas g.djs-shape .djs-visual')].filter(v => {
        const r = v.getBoundingClientRect();
        return r.left < p.right && r.right > p.left && r.top < p.bottom && r.bottom > p.top;
      }).map(v => v.parentElement.dataset.elementId); }""")


def test_no_english_anywhere_in_the_modeler(live_server, page, screenshot, processes):  # noqa: F811
    sign_in_page(page, live_server, "designer")
    page.goto(f"{live_server}/designer/")
    page.get_by_role("button", name="在线编辑 四级七天").click()
    page.wait_for_selector("#modeler-app[data-ready=true]")
    assert english(page) == []
    assert overlaps(page) == []

    canvas, panel = page.locator("#canvas").bounding_box(), page.locator("#properties").bounding_box()
    assert panel["x"] >= canvas["x"] + canvas["width"]  # the panel is beside the diagram, not over it
    for element_id in ("level_timeout", "gw_level_result", "county_handling"):  # a timer, a gateway, a task
        page.locator(f'g.djs-element[data-element-id="{element_id}"]').first.click()
        page.wait_for_selector(f'#properties[data-element-id="{element_id}"] .bio-properties-panel-group')
        assert english(page) == [], element_id
        assert overlaps(page) == []
    expect(page.locator("#properties")).to_contain_text("办理期限规则")
    screenshot(page, "modeler-zh-properties-panel")
    page.locator(".djs-context-pad .entry").first.wait_for()
    assert english(page) == []
    page.locator('.djs-context-pad [data-action="replace"]').click()
    page.locator(".djs-popup").wait_for()
    assert "服务任务" in page.locator(".djs-popup").inner_text()
    assert english(page) == []
    screenshot(page, "modeler-zh-replace-menu")
    page.keyboard.press("Escape")

    open_deadlines(page)
    table = page.locator("#dmn-canvas")
    assert "唯一" in table.inner_text() and "条件" in table.inner_text() and "结果" in table.inner_text()
    assert table.bounding_box()["width"] > 1000  # the whole width, not a side column
    assert english(page) == []
    page.locator('#dmn-canvas td[data-element-id="deadlines_r0_o0"]').click(button="right")
    page.locator(".context-menu").wait_for()
    assert "在下方添加规则" in page.locator(".context-menu").inner_text()
    assert english(page) == []
    screenshot(page, "modeler-zh-decision-table")
    page.keyboard.press("Escape")

    page.get_by_role("button", name="查看决策关系图").click()
    page.locator("#dmn-canvas .djs-palette").wait_for()
    assert english(page) == []
    assert page.evaluate("Object.keys(window.OneDoorZh.missing)") == []

    page.get_by_role("link", name="mediation_result.json", exact=True).click()
    page.locator("#form-preview .preview-fields").wait_for()
    assert english(page) == []
