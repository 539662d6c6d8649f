"""风险预警 handling: the coordinator it is raised to sees it in the bell, acknowledges and closes it
with a note (who, when, audited); others may not; a closed warning leaves the bell."""

import re

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.supervision.warning_models import RiskWarning
from tests.helpers import sign_in
from tests.processes.conftest import local
from tests.supervision.test_warnings import cases, sweep  # noqa: F401 - fixture


def bell(client) -> tuple[int, str]:
    """(unread badge count, notifications page) as the signed-in user sees them."""
    home = client.get("/").data.decode()
    link = re.search(r'<a [^>]*id="bell".*?</a>', home, re.S)
    assert link is not None, "the bell is in the header"
    badge = re.search(r'<span class="count"[^>]*>(\d+)</span>', link.group(0))
    return int(badge.group(1)) if badge else 0, client.get("/notifications").data.decode()


def test_the_coordinator_acknowledges_and_closes_a_warning_from_the_bell(cases, clock, client, no_csrf):  # noqa: F811
    codes = cases(1, 5, 29, id_number="620702198001011234")
    assert sweep(clock) == 1
    warning = db.session.scalar(select(RiskWarning))
    sign_in(client, "coordinator")
    count, page = bell(client)
    assert count == 1 and "风险预警" in page and "同一当事人多次纠纷" in page
    assert f"#warning-{warning.id}" in page and warning.evidence["cases"][0] in page
    assert set(warning.evidence["cases"]) == set(codes)

    sign_in(client, "supervisor")  # sees the warning on the dashboard, but does not handle it
    assert "风险预警" not in bell(client)[1]
    assert client.post(f"/dashboard/warnings/{warning.id}/acknowledge").status_code == 403

    sign_in(client, "coordinator")
    clock.set(local(2026, 3, 20, 11, 0))
    assert client.post(f"/dashboard/warnings/{warning.id}/acknowledge").status_code == 302
    assert client.post(f"/dashboard/warnings/{warning.id}/acknowledge").status_code == 409
    empty = client.post(f"/dashboard/warnings/{warning.id}/close", data={"note": " "})
    assert empty.status_code == 422 and "处置说明" in empty.data.decode()
    clock.set(local(2026, 3, 20, 15, 0))
    note = "已约谈当事人，转镇调委会跟进"
    assert client.post(f"/dashboard/warnings/{warning.id}/close", data={"note": note}).status_code == 302

    db.session.expire_all()
    row = db.session.get(RiskWarning, warning.id)
    assert (row.acknowledged_at, row.closed_at) == (local(2026, 3, 20, 11, 0), local(2026, 3, 20, 15, 0))
    assert row.note == note
    assert row.acknowledged_by_id == row.closed_by_id is not None
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("warning.%"))
                                .order_by(AuditEvent.id)).all()
    assert [(e.action, e.actor_label) for e in events] == [
        ("warning.raised", "系统"), ("warning.acknowledged", "孙调度"), ("warning.closed", "孙调度")]
    assert events[-1].summary["note"] == note
    shown = client.get("/dashboard/warnings").data.decode()
    assert "已关闭：孙调度 2026-03-20 15:00" in shown and note in shown
    assert "风险预警" not in bell(client)[1] and bell(client)[0] == 0
    assert client.post(f"/dashboard/warnings/{warning.id}/close", data={"note": note}).status_code == 409


def test_closing_without_acknowledging_acknowledges_too_and_unknown_is_404(cases, clock, client,  # noqa: F811
                                                                           no_csrf):  # noqa: F811
    cases(1, 2, 3, address="梁家墩镇第1村3组")
    sweep(clock)
    warning = db.session.scalar(select(RiskWarning))
    sign_in(client, "coordinator")
    assert client.post(f"/dashboard/warnings/{warning.id}/close", data={"note": "已处置"}).status_code == 302
    db.session.expire_all()
    row = db.session.get(RiskWarning, warning.id)
    assert row.acknowledged_at == row.closed_at == local(2026, 3, 20, 10, 0)
    assert client.post("/dashboard/warnings/999999/acknowledge").status_code == 404
