"""The case page's documents download as PDFs through the real server (Chromium, 1366 px)."""

from pathlib import Path

from playwright.sync_api import expect

from tests.browser.test_case_file_context import new_page
from tests.functional.test_documents import mediated, text_of  # noqa: F401 - fixture
from tests.helpers import sign_in_page


def test_download_every_document_from_the_case_page(live_server, browser, screenshot,
                                                    mediated):  # noqa: F811
    page = new_page(browser)
    sign_in_page(page, live_server, "village")
    page.goto(f"{live_server}/cases/{mediated.code}")
    links = page.locator("#document-links a")
    expect(links).to_have_count(4)
    screenshot(page, "case-page-documents")
    for name in ("受理回执（PDF）", "人民调解协议书（PDF）", "督办通知书（PDF）", "一案一档（PDF）"):
        with page.expect_download() as download:
            page.get_by_role("link", name=name).click()
        path = download.value.path()
        data = Path(path).read_bytes()
        assert data.startswith(b"%PDF") and mediated.code in text_of(data)
        assert download.value.suggested_filename.endswith(".pdf")
