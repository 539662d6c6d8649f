"""Bad input is refused with the row or field named in Chinese, and nothing is half-written."""

import io

from openpyxl import Workbook
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.calendar.models import CalendarDay
from app.extensions import db
from app.org.models import LaneRule, Membership, OrgUnit, User
from tests.helpers import post_sign_in


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _place(org, code):
    return f"u:{org.unit(code).id}"


def test_duplicate_username_is_refused(client, org):
    post_sign_in(client, "admin")
    users = _count(User)
    response = client.post("/admin/users/new", data={"username": "grid", "display_name": "重名",
                                                     "place": _place(org, "zy-1-1"), "role": "网格员"})
    assert response.status_code == 422
    assert "用户名「grid」已存在" in response.get_data(as_text=True)
    assert _count(User) == users


def test_county_admin_cannot_place_a_membership_outside_the_county(client, org, county_admin):
    post_sign_in(client, county_admin)
    users, memberships = _count(User), _count(Membership)
    response = client.post("/admin/users/new", data={
        "username": "linze1", "display_name": "临泽人", "place": _place(org, "zy-2-1"), "role": "调解员"})
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and "「沙河镇」不在您管理的范围内" in text
    assert (_count(User), _count(Membership)) == (users, memberships)
    # and the tree page shows only the county's subtree
    tree = client.get("/admin/org").get_data(as_text=True)
    assert "梁家墩镇" in tree and "沙河镇" not in tree


def test_unknown_role_in_a_lane_rule_is_refused(client, org):
    post_sign_in(client, "admin")
    response = client.post("/admin/lanes", data={"lane": "新泳道", "org_level": "乡镇", "role": "村长"})
    assert response.status_code == 422 and "未知的角色「村长」" in response.get_data(as_text=True)
    assert db.session.scalar(select(LaneRule).where(LaneRule.lane == "新泳道")) is None


def test_calendar_import_with_a_malformed_date_writes_nothing(client, org):
    post_sign_in(client, "admin")
    days = _count(CalendarDay)
    response = client.post("/admin/calendar/import", data={
        "year": "2027", "schedule": "2027-01-01 休 元旦\n2027-13-01 休 春节\n2027-02-07 班"})
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and "第2行：日期「2027-13-01」格式不正确" in text
    assert _count(CalendarDay) == days


def test_a_cycle_in_the_org_tree_is_refused(client, org):
    post_sign_in(client, "admin")
    county, village = org.unit("zy-1"), org.unit("zy-1-1-1")
    paths = dict(db.session.execute(select(OrgUnit.code, OrgUnit.path)).all())
    response = client.post(f"/admin/org/{county.id}/move", data={"parent_id": village.id})
    assert response.status_code == 422 and "会形成循环" in response.get_data(as_text=True)
    db.session.expire_all()
    assert dict(db.session.execute(select(OrgUnit.code, OrgUnit.path)).all()) == paths


def _sheet(rows) -> bytes:
    book = Workbook()
    book.active.append(["用户名", "姓名", "单位编码", "部门编码", "角色"])
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_excel_import_with_one_bad_row_imports_nothing_and_names_the_row(client, org):
    post_sign_in(client, "admin")
    users, memberships, events = _count(User), _count(Membership), _count(AuditEvent)
    data = _sheet([("zhao1", "赵一", "zy-1-1", "", "综合受理"),
                   ("qian2", "钱二", "zy-1", "hrss", "承办人"),
                   ("sun3", "孙三", "zy-1-1", "", "组长"),
                   ("zhao1", "赵一", "zy-1-1-1", "", "调解员")])
    response = client.post("/admin/users/import", data={"file": (io.BytesIO(data), "users.xlsx")},
                           content_type="multipart/form-data")
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "第4行" in text and "未知的角色「组长」" in text and "未导入任何数据" in text
    assert (_count(User), _count(Membership), _count(AuditEvent)) == (users, memberships, events)


def test_a_good_excel_import_creates_every_user_with_their_memberships(client, org):
    post_sign_in(client, "admin")
    data = _sheet([("zhao1", "赵一", "zy-1-1", "", "综合受理"),
                   ("zhao1", "赵一", "zy-1-1-1", "", "调解员"),
                   ("qian2", "钱二", "zy-1", "hrss", "承办人")])
    response = client.post("/admin/users/import", data={"file": (io.BytesIO(data), "users.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 200 and response.get_data(as_text=True).count("已导入") == 3
    zhao = db.session.scalar(select(User).where(User.username == "zhao1"))
    assert len(zhao.memberships) == 2 and zhao.must_change_password


def test_not_an_excel_file(client, org):
    post_sign_in(client, "admin")
    response = client.post("/admin/users/import", data={"file": (io.BytesIO(b"hello"), "x.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "请上传 .xlsx 格式的 Excel 文件" in response.get_data(as_text=True)
