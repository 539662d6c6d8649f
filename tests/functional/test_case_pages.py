"""Case pages: intake at the window, the case page (masking, route map, diagram), notes, access."""

import io

import pytest
from sqlalchemy import select

from app.cases.models import Case
from app.cases.notes import Attachment
from app.extensions import db
from tests.helpers import sign_in
from tests.processes.conftest import Desk, intake  # noqa: F401 - fixture

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def case(processes, org, clock):  # noqa: F811 - the imported fixture
    return Desk(org, clock).open(category="consumer", amount=800, title="网购家电退货纠纷")


def test_clerk_registers_a_case_through_the_intake_page(client, no_csrf, processes, org):  # noqa: F811
    sign_in(client, "clerk")
    page = client.get("/cases/new")
    assert page.status_code == 200 and "受理并生成案件编码" in page.data.decode()
    grid = org.unit("zy-1-1-1-1")
    form = {"org_unit_id": grid.id, "title": "邻里排水纠纷", "narrative": "两户因院落排水问题发生争执。",
            "channel": "walk_in", "category": "neighbour", "risk_tier": "yellow",
            "people_count": "2", "parties.0.name": "张三", "parties.0.role": "applicant",
            "parties.0.phone": "13912345678"}
    response = client.post("/cases/new", data=form)
    assert response.status_code == 302
    case = db.session.scalar(select(Case))
    assert response.headers["Location"] == f"/cases/{case.code}"
    assert (case.org_unit_id, case.parties[0].phone) == (grid.id, "13912345678")


def test_intake_errors_are_shown_in_chinese_and_nothing_is_created(client, no_csrf, processes, org):  # noqa: F811
    sign_in(client, "clerk")
    response = client.post("/cases/new", data={"title": "短", "org_unit_id": ""})
    body = response.data.decode()
    assert response.status_code == 422
    assert "请选择案件所在网格" in body
    assert db.session.scalar(select(Case)) is None


def test_intake_is_for_window_clerks_only(client, no_csrf, processes):  # noqa: F811
    sign_in(client, "grid")
    assert client.get("/cases/new").status_code == 403


def test_case_page_shows_route_map_qr_and_unmasked_data_to_the_handler(client, no_csrf, case):
    sign_in(client, "mediator")  # the township mediator holds the on-the-spot task
    body = client.get(f"/cases/{case.code}").data.decode()
    assert case.code in body and "<svg" in body and "一案一码" in body
    assert "13912345678" in body and "620702198001011231" in body
    assert "当场调解" in body and "正在办理" in body
    assert 'data-bpmn-url="/cases/' in body


def test_outside_the_handling_scope_personal_data_is_masked(client, no_csrf, case):
    sign_in(client, "supervisor")  # sees the county's cases, does not handle this one
    body = client.get(f"/cases/{case.code}").data.decode()
    assert "139****5678" in body and "620702********1231" in body
    assert "13912345678" not in body and "个人信息已隐藏" in body


@pytest.mark.parametrize(("username", "status"), [
    ("mediator", 200), ("clerk", 200), ("supervisor", 200), ("grid", 200), ("hrss", 403)])
def test_case_page_access(client, no_csrf, case, username, status):
    sign_in(client, username)
    assert client.get(f"/cases/{case.code}").status_code == status
    assert client.get(f"/cases/{case.code}/diagrams/dispute.bpmn").status_code == status


def test_case_page_requires_sign_in(client, case):
    response = client.get(f"/cases/{case.code}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_diagram_xml_is_served_for_the_viewer(client, no_csrf, case):
    sign_in(client, "mediator")
    response = client.get(f"/cases/{case.code}/diagrams/dispute.bpmn")
    assert response.status_code == 200 and b"bpmndi:BPMNDiagram" in response.data


def test_comments_and_type_checked_attachments(client, no_csrf, case):
    sign_in(client, "mediator")
    client.post(f"/cases/{case.code}/comments", data={"body": "已电话联系双方"})
    ok = client.post(f"/cases/{case.code}/attachments",
                     data={"file": (io.BytesIO(PNG), "现场照片.png")},
                     content_type="multipart/form-data")
    assert ok.status_code == 302
    fake = client.post(f"/cases/{case.code}/attachments",
                       data={"file": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "协议.pdf")},
                       content_type="multipart/form-data", follow_redirects=True)
    assert "文件内容与扩展名不符" in fake.data.decode()
    exe = client.post(f"/cases/{case.code}/attachments",
                      data={"file": (io.BytesIO(b"MZ"), "tool.exe")},
                      content_type="multipart/form-data", follow_redirects=True)
    assert "仅支持 PDF、PNG、JPG、DOCX、XLSX 文件" in exe.data.decode()
    [stored] = db.session.scalars(select(Attachment)).all()
    body = client.get(f"/cases/{case.code}").data.decode()
    assert "已电话联系双方" in body and "现场照片.png" in body
    download = client.get(f"/cases/{case.code}/attachments/{stored.id}")
    assert download.status_code == 200 and download.data == PNG


def test_outsiders_cannot_download_attachments(client, no_csrf, case, org, clock):
    from app.cases.files import add_attachment  # noqa: PLC0415
    from app.unit_of_work import run_unit  # noqa: PLC0415

    stored = run_unit(lambda: add_attachment(case, "a.png", PNG, actor=org.actor("mediator"),
                                             now=clock.now()))
    sign_in(client, "supervisor")
    assert client.get(f"/cases/{case.code}/attachments/{stored.id}").status_code == 403


def test_case_list_filters_and_searches_by_party_name(client, no_csrf, case):
    sign_in(client, "clerk")
    assert case.code in client.get("/cases/?q=张三").data.decode()
    assert case.code not in client.get("/cases/?q=王五").data.decode()
    assert case.code in client.get("/cases/?category=consumer").data.decode()
    assert case.code not in client.get("/cases/?category=labour").data.decode()


def test_raising_risk_to_red_alerts_the_coordinator(client, no_csrf, case):
    sign_in(client, "mediator")
    client.post(f"/cases/{case.code}/risk", data={"risk_tier": "red"})
    sign_in(client, "coordinator")
    assert case.code in client.get("/").data.decode()


def test_inbox_filters_by_the_case_and_searches_party_names(client, no_csrf, case):
    sign_in(client, "mediator")
    assert "网购家电退货纠纷" in client.get("/").data.decode()
    assert case.code in client.get("/?category=consumer&risk_tier=yellow&channel=walk_in").data.decode()
    assert case.code not in client.get("/?category=labour").data.decode()
    assert case.code not in client.get("/?risk_tier=red").data.decode()
    assert case.code in client.get("/?q=张三").data.decode()
    assert case.code not in client.get("/?q=王五").data.decode()
