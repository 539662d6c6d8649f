"""The case's four PDFs (WeasyPrint, CJK font, no network), their text read back with pypdf."""

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.documents.render import NetworkRefused, pdf_from_html
from app.extensions import db
from app.supervision.orders import open_order
from app.unit_of_work import run_unit
from tests.functional.test_case_file import FAILED_1
from tests.helpers import sign_in
from tests.processes.conftest import Desk, resolved  # noqa: F401 - fixtures


def text_of(pdf: bytes) -> str:
    """All text of a PDF, whitespace removed (CJK text may be split across runs)."""
    reader = PdfReader(io.BytesIO(pdf))
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


@pytest.fixture
def mediated(processes, org, clock):  # noqa: F811
    """A case with a 督办单 issued on level 1, then resolved at level 2 with an agreement."""
    desk = Desk(org, clock)
    case = desk.open()
    run_unit(lambda: open_order(desk.task(case, "level_mediation"), case.org_unit_id, 5, clock))
    desk.do(desk.task(case, "issue_order"), "supervisor",
            {"supervision_measure": "notice", "supervision_requirement": "请于两日内说明逾期原因并办结"})
    desk.do(desk.task(case, "level_mediation"), "grid", FAILED_1)
    desk.do(desk.task(case, "level_mediation"), "village", resolved("经调解双方达成协议"))
    return desk.case(case.code)


def test_the_four_documents_carry_the_cases_facts(client, no_csrf, mediated):
    sign_in(client, "village")
    base = f"/cases/{mediated.code}/documents"
    texts = {}
    for kind in ("receipt", "agreement", "supervision", "case_file"):
        response = client.get(f"{base}/{kind}.pdf")
        assert response.status_code == 200 and response.mimetype == "application/pdf", kind
        assert response.data.startswith(b"%PDF")
        texts[kind] = text_of(response.data)
    code = mediated.code
    assert all(code in text for text in texts.values())
    receipt = texts["receipt"]
    assert "受理回执" in receipt and "邻里排水纠纷" in receipt and "张三" in receipt
    assert "后续办理" in receipt
    agreement = texts["agreement"]
    for fact in ("人民调解协议书", "张三", "李四", "两户院落排水互相影响", "双方各负一半责任",
                 "共同出资改建排水沟", "现场施工，村委会监督", "2026-04-30", "人民调解委员会（印章）"):
        assert fact in agreement, fact
    assert "请于两日内说明逾期原因并办结" in texts["supervision"] and "书面通报" in texts["supervision"]
    case_file = texts["case_file"]
    assert "本级调解（网格员）" in case_file and "".join(FAILED_1["summary"].split()) in case_file
    assert "620702198001011231" in case_file and "经调解双方达成协议" in case_file
    generated = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "case.document_generated"))
    assert generated == 4
    assert "生成文书：人民调解协议书" in client.get(f"/cases/{code}").data.decode()


def test_documents_are_for_the_handling_scope_and_known_kinds(client, no_csrf, mediated):
    sign_in(client, "hrss")  # neither handles nor oversees the case
    assert client.get(f"/cases/{mediated.code}/documents/receipt.pdf").status_code == 403
    sign_in(client, "village")
    assert client.get(f"/cases/{mediated.code}/documents/other.pdf").status_code == 404


def test_a_document_never_reaches_the_network():
    with pytest.raises(NetworkRefused):
        pdf_from_html('<p>外链</p><img src="http://example.com/logo.png">')
    assert pdf_from_html("<p>中文</p>").startswith(b"%PDF")


ARTIFACTS = Path(__file__).resolve().parents[1] / "browser" / "artifacts"


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils (make pdf-deps)")
def test_each_document_renders_to_page_images(client, no_csrf, mediated, tmp_path):
    """Every page of the four PDFs rasterised by poppler's pdftoppm into tests/browser/artifacts/
    (document-<kind>-<page>.png), to be looked at; a page that is blank fails."""
    sign_in(client, "village")
    ARTIFACTS.mkdir(exist_ok=True)
    for kind in ("receipt", "agreement", "supervision", "case_file"):
        pdf = tmp_path / f"{kind}.pdf"
        pdf.write_bytes(client.get(f"/cases/{mediated.code}/documents/{kind}.pdf").data)
        for old in ARTIFACTS.glob(f"document-{kind}-*.png"):
            old.unlink()
        subprocess.run(["pdftoppm", "-png", "-r", "80", str(pdf), str(ARTIFACTS / f"document-{kind}")],
                       check=True, timeout=60)
        pages = sorted(ARTIFACTS.glob(f"document-{kind}-*.png"))
        assert len(pages) == len(PdfReader(str(pdf)).pages) >= 1, kind
        for page in pages:
            assert page.read_bytes().startswith(b"\x89PNG")
            assert page.stat().st_size > 8_000, f"{page.name} looks blank"
