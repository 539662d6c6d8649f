"""The grid worker app's report endpoint: own grids only, photos checked, resends idempotent."""

import io

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.cases.models import Case
from app.channels.grid.models import GridReport, GridReportCapture
from app.extensions import db
from app.org.demo import DEMO_PASSWORD
from app.org.models import User
from app.unit_of_work import run_unit
from app.workflow.models import HumanTask, TaskState

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
HAZARD = {"kind": "hazard", "grid_code": "zy-1-1-1-1", "title": "自建房外墙开裂",
          "content": "村民自建房外墙出现贯穿裂缝，雨后有掉落风险。", "department": "housing",
          "latitude": "38.93", "longitude": "100.45", "accuracy_m": "12"}


@pytest.fixture
def worker(app, client, processes):  # noqa: F811 - processes from tests.channels.conftest
    """The demo grid worker, signed in (CSRF off for the client)."""
    app.config["WTF_CSRF_ENABLED"] = False
    assert client.post("/login", data={"username": "grid", "password": DEMO_PASSWORD}).status_code == 302

    def send(external_id: str, photo: bytes | None = JPEG, **fields):
        data = {**HAZARD, **fields, "external_id": external_id}
        if photo is not None:
            data["photo"] = (io.BytesIO(photo), "p.jpg")
        return client.post("/grid/reports", data=data, content_type="multipart/form-data")
    return send


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def refusals() -> list[dict]:
    db.session.expire_all()
    return [e.summary for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "grid.app_refused"))]


def test_a_hazard_with_a_photo_becomes_the_departments_task_once(worker, org):
    first = worker("app-1")
    assert first.status_code == 201 and first.json["report_status"] == "task_opened"
    again = worker("app-1")
    assert again.status_code == 200 and again.json["id"] == first.json["id"]
    assert count(GridReport) == count(GridReportCapture) == 1
    capture = db.session.scalar(select(GridReportCapture))
    assert capture.photo == JPEG and capture.photo_type == "image/jpeg" and capture.latitude == 38.93
    [task] = db.session.scalars(select(HumanTask).where(HumanTask.process_id == "grid_hazard")).all()
    assert task.candidate_department_id == org.department("housing").id and task.state == TaskState.READY


def test_a_dispute_from_the_app_opens_a_case(worker):
    response = worker("app-2", kind="dispute", category="neighbour", party_name="刘七", department="")
    assert response.status_code == 201 and response.json["case_code"].startswith("ZY-2026-")
    case = db.session.scalar(select(Case))
    assert case.channel == "grid" and case.parties[0].name == "刘七"


@pytest.mark.parametrize(("photo", "field"), [(b"%PDF-1.7 not a photo", "photo"),
                                              (b"\xff\xd8\xff" + b"0" * 5000, "photo")])
def test_bad_photos_are_refused_and_nothing_is_written(worker, photo, field, monkeypatch):
    # A 4 KB limit instead of 2 MB: the test client spools big bodies to files it never closes.
    monkeypatch.setattr("app.channels.grid.capture.MAX_PHOTO", 4096)
    monkeypatch.setattr("app.channels.grid.pwa.MAX_PHOTO", 4096)
    response = worker("app-3", photo=photo)
    assert response.status_code == 422 and field in response.json["errors"]
    assert count(GridReport) == count(GridReportCapture) == count(HumanTask) == 0
    assert refusals()[0]["external_id"] == "app-3"


def test_a_grid_the_worker_does_not_hold_is_refused(worker):
    response = worker("app-4", grid_code="zy-1-1-1-2")
    assert response.status_code == 403 and "负责" in response.json["message"]
    assert count(GridReport) == 0 and refusals()[0]["reason"] == "forbidden"


def test_a_report_sent_after_the_worker_was_disabled_is_refused(worker):
    def disable():
        db.session.scalar(select(User).where(User.username == "grid")).active = False
    run_unit(disable)
    response = worker("app-5")
    assert response.status_code == 401 and "重新登录" in response.json["message"]
    assert count(GridReport) == 0
    [refusal] = refusals()
    assert refusal["reason"] == "signed_out" and refusal["external_id"] == "app-5"


def test_the_app_shell_manifest_and_service_worker_are_served(worker, client):
    page = client.get("/grid/").get_data(as_text=True)
    assert 'rel="manifest"' in page and "梁家墩镇第1村第1网格" in page
    manifest = client.get("/grid/manifest.webmanifest")
    assert manifest.json["display"] == "standalone" and manifest.json["scope"] == "/grid/"
    sw = client.get("/grid/sw.js")
    assert sw.status_code == 200 and "caches.open" in sw.get_data(as_text=True)
