"""Retire and rotate out ask first, naming what happens; unconfirmed, nothing changes."""

from datetime import timedelta

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.org.models import OrgUnit
from tests.helpers import post_sign_in


def _events(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def test_retiring_asks_first_and_changes_nothing_until_confirmed(client, org):
    post_sign_in(client, "admin")
    grid = org.unit("zy-1-1-1-2")
    ask = client.post(f"/admin/org/{grid.id}/retire", data={"open": org.unit("zy-1-1-1").id})
    text = ask.get_data(as_text=True)
    assert ask.status_code == 200 and f"确认撤销「{grid.name}」" in text
    assert "不再受理新案件" in text and "照常办理" in text
    assert 'name="confirmed" value="1"' in text and f'unit={org.unit("zy-1-1-1").id}' in text
    db.session.expire_all()
    assert db.session.get(OrgUnit, grid.id).retired_at is None and _events("org_unit.retired") == 0
    done = client.post(f"/admin/org/{grid.id}/retire", data={"confirmed": "1", "back": "/admin/org"})
    assert done.status_code == 302 and done.location.endswith("/admin/org")
    db.session.expire_all()
    assert db.session.get(OrgUnit, grid.id).retired_at is not None


def test_a_unit_that_cannot_be_retired_is_refused_before_any_confirmation(client, org):
    post_sign_in(client, "admin")
    refused = client.post(f"/admin/org/{org.unit('zy-1-1-1').id}/retire")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "请先撤销或移走下级单位" in text and "确认撤销" not in text


def test_rotating_out_asks_first_naming_open_tasks_and_no_new_ones(client, org, clock):
    ecology = org.department("ecology")
    post_sign_in(client, "admin")
    client.post(f"/admin/departments/{ecology.id}/periods",
                data={"starts_on": str(clock.now().date() - timedelta(days=5))})
    ask = client.post(f"/admin/departments/{ecology.id}/rotate-out")
    text = ask.get_data(as_text=True)
    assert ask.status_code == 200 and "确认轮出「甘州区生态环境局」" in text
    assert "不再接收新任务" in text and "待办任务 0 项" in text
    assert _events("department.rotated_out") == 0
    assert client.post(f"/admin/departments/{ecology.id}/rotate-out",
                       data={"confirmed": "1"}).status_code == 302
    assert _events("department.rotated_out") == 1
    not_stationed = client.post(f"/admin/departments/{ecology.id}/rotate-out")
    assert not_stationed.status_code == 422 and "当前不在轮驻期内" in not_stationed.get_data(as_text=True)
