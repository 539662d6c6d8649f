"""Bad input on the grid worker app's report endpoint, beyond test_grid_app.py: grids that do not
exist, a client id reused for other content, lapsed sessions, a disabled worker's resend, and
photo refusals named in the audit. Each refused clearly, nothing half-written, each audited."""

import re

from flask import g
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.channels.grid.models import GridReport, GridReportCapture
from app.extensions import db
from app.org.models import User
from app.unit_of_work import run_unit
from app.workflow.models import HumanTask
from tests.channels.test_grid_app import worker  # noqa: F401 - the signed-in worker fixture


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def refusals() -> list[dict]:
    db.session.expire_all()
    return [e.summary for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "grid.app_refused").order_by(AuditEvent.id))]


def _nothing_written() -> bool:
    return count(GridReport) == count(GridReportCapture) == count(HumanTask) == 0


def test_a_grid_that_does_not_exist_gets_the_same_answer_as_another_workers_grid(worker):  # noqa: F811
    other = worker("r-1", grid_code="zy-1-1-1-2")
    unknown = worker("r-2", grid_code="zy-9-9-9-9")
    assert other.status_code == unknown.status_code == 403
    assert other.json == unknown.json  # no telling which grids exist
    assert unknown.json["errors"] == {"grid_code": ["该网格不在您的负责范围内"]}
    assert _nothing_written()
    assert [(r["external_id"], r["reason"], r["fields"]) for r in refusals()] == [
        ("r-1", "forbidden", ["grid_code"]), ("r-2", "forbidden", ["grid_code"])]


def test_a_client_id_reused_for_other_content_is_409_and_the_first_report_stays(worker):  # noqa: F811
    assert worker("r-3").status_code == 201
    changed = worker("r-3", title="另一处隐患")
    assert changed.status_code == 409 and "不一致" in changed.json["message"]
    assert count(GridReport) == count(GridReportCapture) == 1
    assert db.session.scalar(select(GridReport.title)) == "自建房外墙开裂"
    [refusal] = refusals()
    assert (refusal["external_id"], refusal["reason"]) == ("r-3", "conflict")


def test_a_resend_after_the_worker_was_disabled_is_refused_and_changes_nothing(worker):  # noqa: F811
    """The first send got through but its answer was lost; the phone resends after the account was
    disabled: refused (the app keeps it and asks to sign in), still exactly one report."""
    assert worker("r-4").status_code == 201

    def disable():
        db.session.scalar(select(User).where(User.username == "grid")).active = False
    run_unit(disable)
    # A real request starts with a fresh `g`; the test client shares the fixture's app context.
    g.pop("actor", None)
    g.pop("_login_user", None)
    resend = worker("r-4")
    assert resend.status_code == 401 and resend.json["code"] == "signed_out"
    assert count(GridReport) == count(GridReportCapture) == 1
    [refusal] = refusals()
    grid_id = db.session.scalar(select(User.id).where(User.username == "grid"))
    assert (refusal["external_id"], refusal["reason"]) == ("r-4", "signed_out")
    assert db.session.scalar(select(AuditEvent.actor_id).where(
        AuditEvent.action == "grid.app_refused")) == grid_id


def test_a_report_after_signing_out_is_refused_and_audited_without_a_user(worker, client):  # noqa: F811
    client.post("/logout")
    response = worker("r-5")
    assert response.status_code == 401 and "重新登录" in response.json["message"]
    assert _nothing_written()
    [refusal] = refusals()
    assert (refusal["external_id"], refusal["reason"]) == ("r-5", "signed_out")


def test_photo_refusals_say_why_in_chinese_and_name_the_field(worker, monkeypatch):  # noqa: F811
    monkeypatch.setattr("app.channels.grid.capture.MAX_PHOTO", 4096)
    monkeypatch.setattr("app.channels.grid.pwa.MAX_PHOTO", 4096)
    too_big = worker("r-6", photo=b"\xff\xd8\xff" + b"0" * 5000)
    not_image = worker("r-7", photo=b"GIF89a" + b"\x00" * 100)
    text = worker("r-8", photo="就是一段文字".encode())
    for response in (too_big, not_image, text):
        assert response.status_code == 422 and list(response.json["errors"]) == ["photo"]
        [message] = response.json["errors"]["photo"]
        assert message and not re.search(r"[A-Za-z]", re.sub(r"JPE?G|PNG|[KM]B", "", message))
    assert _nothing_written()
    assert [(r["external_id"], r["fields"]) for r in refusals()] == [
        ("r-6", ["photo"]), ("r-7", ["photo"]), ("r-8", ["photo"])]
