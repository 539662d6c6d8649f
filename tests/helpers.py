"""Plain helpers shared by test packages: signing in through the form and through a browser.

Fixtures live in tests/shared_fixtures.py; row factories in tests/factories.py.
"""

from app.org.demo import DEMO_PASSWORD


def post_sign_in(client, username, password=DEMO_PASSWORD, next_url=None):
    """POST the sign-in form with the Flask test client; return the response (it may refuse)."""
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"username": username, "password": password})


def sign_in(client, username):
    """Sign `client` in as a demo user; fail the test when the sign-in is refused."""
    response = post_sign_in(client, username)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def sign_in_page(page, base, username, password=DEMO_PASSWORD, *, wait=True):
    """Sign a Playwright page in through the form; with `wait`, until it has left /login
    (each role lands on its own page: a designer on 流程设计, a supervisor on 督办)."""
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    if wait:
        page.wait_for_url(lambda url: url.startswith(base) and "/login" not in url)
    else:
        page.wait_for_load_state()
