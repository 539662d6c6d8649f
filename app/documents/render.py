"""HTML → PDF with WeasyPrint, the CJK font installed on the machine, and no network access."""

from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher

FONT_FAMILY = '"WenQuanYi Micro Hei", "文泉驿微米黑", sans-serif'  # Debian fonts-wqy-microhei


class NetworkRefused(ValueError):
    """A document tried to load something from outside (it must be self-contained)."""


def pdf_from_html(html: str) -> bytes:
    """The PDF bytes of a self-contained HTML document; any http/file reference is refused
    (data: URLs only), and the refusal stops the rendering instead of leaving a gap."""
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True, allow_redirects=False)
    try:
        return HTML(string=html, url_fetcher=fetcher, base_url="data:,").write_pdf()
    except FatalURLFetchingError as refused:
        raise NetworkRefused(f"文书不得引用外部资源：{refused}") from refused
