"""The admin user page sets a user's mobile number: validated with the field named, audited."""

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.org.models import User
from tests.admin.conftest import sign_in


def test_admin_sets_and_clears_a_phone(client, org):
    sign_in(client, "admin")
    user = db.session.scalar(select(User).where(User.username == "mediator"))
    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "手机号" in page and 'name="phone"' in page

    bad = client.post(f"/admin/users/{user.id}/phone", data={"phone": "12345"})
    assert bad.status_code == 422
    assert 'data-field="phone"' in bad.get_data(as_text=True) and "11 位手机号码" in bad.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).phone is None

    ok = client.post(f"/admin/users/{user.id}/phone", data={"phone": "139 1234 5678"})
    assert ok.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).phone == "13912345678"
    assert client.post(f"/admin/users/{user.id}/phone", data={"phone": ""}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).phone is None
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.phone_changed")
                                .order_by(AuditEvent.id)).all()
    assert [e.summary["after"]["phone"] for e in events] == ["139****5678", None]
