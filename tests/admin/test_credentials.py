"""API keys and personal tokens from the admin page: shown once, scoped, revoked, audited."""

from sqlalchemy import select

from app.api.keys import digest, find_key
from app.api.models import ApiKey, PersonalToken
from app.audit.models import AuditEvent
from app.extensions import db
from tests.helpers import post_sign_in


def test_a_key_is_shown_once_scoped_and_revoked(client, org):
    post_sign_in(client, "admin")
    page = client.post("/admin/keys", data={"name": "12345 热线平台", "channels": ["hotline_12345"],
                                             "org_units": "zy-1", "rate_limit": "120"})
    secret = page.get_data(as_text=True).split('id="new-secret">')[1].split("<")[0]
    key = find_key(secret)
    assert key.channels == ["hotline_12345"] and key.org_unit_ids == [org.unit("zy-1").id]
    assert key.key_hash == digest(secret) and secret not in client.get("/admin/keys").get_data(as_text=True)
    assert client.post(f"/admin/keys/{key.id}/revoke").status_code == 302
    assert find_key(secret) is None
    actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("api_key.%"))))
    assert actions == ["api_key.created", "api_key.revoked"]


def test_bad_key_input_names_the_field(client, org):
    post_sign_in(client, "admin")
    response = client.post("/admin/keys", data={"name": "x", "channels": ["fax"], "rate_limit": "10"})
    assert response.status_code == 422 and "未知的渠道「fax」" in response.get_data(as_text=True)
    response = client.post("/admin/tokens",
                           data={"username": "nobody", "token_name": "脚本"})
    assert response.status_code == 422 and "用户「nobody」不存在或已停用" in response.get_data(as_text=True)
    assert db.session.scalar(select(ApiKey)) is None and db.session.scalar(select(PersonalToken)) is None


def test_county_admin_may_not_open_citywide_settings(client, org, county_admin):
    post_sign_in(client, county_admin)
    for path in ("/admin/keys", "/admin/audit", "/admin/lanes", "/admin/calendar", "/admin/policies"):
        response = client.get(path)
        assert response.status_code == 403 and "只有市级系统管理员" in response.get_data(as_text=True)
    refused = client.post("/admin/lanes", data={"lane": "x", "org_level": "乡镇", "role": "督办"})
    assert refused.status_code == 403
