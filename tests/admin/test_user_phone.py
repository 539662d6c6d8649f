"""The admin user page sets a user's mobile number: validated with the field named, audited."""

import io

from openpyxl import Workbook
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.org.models import User
from tests.helpers import post_sign_in


def test_admin_sets_and_clears_a_phone(client, org):
    post_sign_in(client, "admin")
    user = db.session.scalar(select(User).where(User.username == "mediator"))
    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "手机号" in page and 'name="phone"' in page

    bad = client.post(f"/admin/users/{user.id}/phone", data={"phone": "12345"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert 'data-field="phone"' in text and "11 位手机号码" in text
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


def _sheet(header, rows) -> bytes:
    book = Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


SIX = ["用户名", "姓名", "单位编码", "部门编码", "角色", "手机号"]


def _post(client, data):
    return client.post("/admin/users/import", data={"file": (io.BytesIO(data), "users.xlsx")},
                       content_type="multipart/form-data")


def test_excel_import_reads_the_phone_column(client, org):
    post_sign_in(client, "admin")
    response = _post(client, _sheet(SIX, [("zhou1", "周一", "zy-1-1", "", "综合受理", "13900001111"),
                                          ("zhou1", "周一", "zy-1-1-1", "", "调解员", ""),
                                          ("wu2", "吴二", "zy-1-1", "", "调解员", None)]))
    assert response.status_code == 200, response.get_data(as_text=True)
    phones = dict(db.session.execute(select(User.username, User.phone)
                                     .where(User.username.in_(["zhou1", "wu2"]))).all())
    assert phones == {"zhou1": "13900001111", "wu2": None}


def test_excel_import_with_a_bad_phone_imports_nothing(client, org):
    post_sign_in(client, "admin")
    users = db.session.scalar(select(func.count()).select_from(User))
    response = _post(client, _sheet(SIX, [("zhou1", "周一", "zy-1-1", "", "综合受理", "13900001111"),
                                          ("wu2", "吴二", "zy-1-1", "", "调解员", "0931-1234567"),
                                          ("zhou1", "周一", "zy-1-1-1", "", "调解员", "13900002222")]))
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "第3行" in text and "11 位手机号码" in text and "第4行" in text and "手机号不一致" in text
    assert db.session.scalar(select(func.count()).select_from(User)) == users


def test_old_five_column_sheets_still_import(client, org):
    post_sign_in(client, "admin")
    response = _post(client, _sheet(SIX[:5], [("zheng3", "郑三", "zy-1-1", "", "综合受理")]))
    assert response.status_code == 200
    assert db.session.scalar(select(User.phone).where(User.username == "zheng3")) is None


def test_the_user_list_shows_phones_masked(client, org):
    post_sign_in(client, "admin")
    _post(client, _sheet(SIX, [("zhou1", "周一", "zy-1-1", "", "综合受理", "13900001111")]))
    page = client.get("/admin/users").get_data(as_text=True)
    assert "139****1111" in page and "13900001111" not in page
