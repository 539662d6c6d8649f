"""Every menu entry × every demo role: an entry is shown if and only if its page answers 200."""

import re

import pytest

from app.admin.views import SECTIONS
from app.ui import NAV
from tests.admin.conftest import DEMO_USERS
from tests.helpers import post_sign_in

MAIN_NAV = re.compile(r'<nav aria-label="主导航">(.*?)</nav>', re.S)
ADMIN_NAV = re.compile(r'<nav class="sections" aria-label="系统管理">(.*?)</nav>', re.S)


def _links(pattern, html: str) -> set[str]:
    found = pattern.search(html)
    return set(re.findall(r'href="([^"]+)"', found.group(1))) if found else set()


def _check(client, app, entries, pattern, home: str):
    shown = _links(pattern, client.get(home).get_data(as_text=True))
    with app.test_request_context():
        from flask import url_for  # noqa: PLC0415

        urls = {entry.endpoint: url_for(entry.endpoint) for entry in entries}
    for entry in entries:
        status = client.get(urls[entry.endpoint]).status_code
        assert status in (200, 403), (entry.endpoint, status)
        assert (urls[entry.endpoint] in shown) == (status == 200), (entry.label, status, shown)


@pytest.mark.parametrize("username", [*DEMO_USERS, "gzadmin"])
def test_menu_entry_shown_iff_page_answers_200(app, client, processes, org, county_admin,  # noqa: F811
                                               username):
    assert post_sign_in(client, username).status_code == 302
    _check(client, app, NAV, MAIN_NAV, "/")


@pytest.mark.parametrize("username", ["admin", "gzadmin"])
def test_admin_section_shown_iff_page_answers_200(app, client, org, county_admin, username):
    post_sign_in(client, username)
    _check(client, app, SECTIONS, ADMIN_NAV, "/admin/")


@pytest.mark.parametrize(("username", "landing"), [
    ("supervisor", "/supervision/overdue"), ("designer", "/designer/"), ("admin", "/admin/"),
    ("grid", "/"), ("hrss", "/")])
def test_each_role_lands_on_its_page(client, org, username, landing):
    assert post_sign_in(client, username).headers["Location"] == "/home"
    assert client.get("/home").headers["Location"] == landing


def test_chinese_404_with_a_way_back(client, org):
    response = client.get("/no-such-page")
    text = response.get_data(as_text=True)
    assert response.status_code == 404 and "页面不存在" in text and "Not Found" not in text
    post_sign_in(client, "grid")
    text = client.get("/admin/nothing-here").get_data(as_text=True)
    assert "返回首页" in text or "无权访问" in text


def test_api_404_stays_json(client, org):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404 and response.is_json


def test_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert b"<svg" in response.get_data()
    response.close()


def test_an_unhandled_error_is_a_chinese_500_page(app, client, org):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def broken():
        raise RuntimeError("boom")

    app.add_url_rule("/broken-for-test", "broken_for_test", broken)
    post_sign_in(client, "grid")
    response = client.get("/broken-for-test")
    text = response.get_data(as_text=True)
    assert response.status_code == 500 and "系统出错了" in text and "返回首页" in text
    assert "Internal Server Error" not in text and "boom" not in text
