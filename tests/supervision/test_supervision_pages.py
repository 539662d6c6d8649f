"""The supervisor's pages: overdue list with filters, sorting and Excel; on-time rates; orders; access."""

import io

import pytest
from openpyxl import load_workbook

from tests.helpers import sign_in
from tests.processes.conftest import local


@pytest.fixture
def overdue_cases(desk, org, clock, sweep):
    """Two on-the-spot cases in 甘州区 overdue since 3 April; one labour case; orders opened on 13 April."""
    clock.set(local(2026, 4, 2, 9, 0))
    first = desk.open(category="consumer", amount=800, title="网购家电退货纠纷", risk_tier="red")
    second = desk.open(category="neighbour", amount=100, title="邻里噪音纠纷", channel="grid")
    sweep(local(2026, 4, 13, 0, 0, 1))
    return first, second


PAGES = ["/supervision/overdue", "/supervision/overdue.xlsx", "/supervision/departments",
         "/supervision/orders", "/reports/"]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize(("username", "status"), [("supervisor", 200), ("mediator", 403), ("hrss", 403),
                                                  ("coordinator", 403), (None, 302)])
def test_only_supervisors_open_the_pages(client, no_csrf, org, path, username, status):
    if username:
        sign_in(client, username)
    assert client.get(path).status_code == status


def test_a_unit_outside_the_subtree_is_forbidden(client, no_csrf, org):
    sign_in(client, "supervisor")  # 甘州区 only
    other = org.unit("zy-2").id
    assert client.get(f"/supervision/overdue?org_unit_id={other}").status_code == 403
    assert client.get(f"/reports/view?org_unit_id={other}").status_code == 403
    assert client.get("/supervision/overdue?min_days=abc").status_code == 422


def test_overdue_list_filters_sorts_and_exports(client, no_csrf, overdue_cases, clock):
    first, second = overdue_cases
    sign_in(client, "supervisor")
    page = client.get("/supervision/overdue").data.decode()
    assert first.code in page and second.code in page and "5 个工作日" in page and "待签发" in page
    only_grid = client.get("/supervision/overdue?channel=grid").data.decode()
    assert second.code in only_grid and first.code not in only_grid
    red = client.get("/supervision/overdue?risk_tier=red&category=consumer").data.decode()
    assert first.code in red and second.code not in red
    assert "没有符合条件" in client.get("/supervision/overdue?min_days=30").data.decode()
    ascending = client.get("/supervision/overdue?sort=code").data.decode()
    descending = client.get("/supervision/overdue?sort=code&descending=true").data.decode()
    assert ascending.index(first.code) < ascending.index(second.code)
    assert descending.index(second.code) < descending.index(first.code)

    response = client.get("/supervision/overdue.xlsx?channel=walk_in")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][:4] == ("案件编码", "案件标题", "办理环节", "承办单位")
    assert {r[0] for r in rows[3:]} == {first.code}  # its on-the-spot task and its red-risk review
    [review] = [r for r in rows[3:] if r[2] == "红色风险研判处置"]  # due 2 hours after intake
    assert review[6:8] == ("红色", "来访窗口") and review[10] == 6 and review[11:13] == ("未办结", "待签发")


def test_department_rates_and_orders_pages(client, no_csrf, overdue_cases, desk, org, clock):
    first, second = overdue_cases
    [task] = [t for t in desk.tasks(second) if t.bpmn_id == "level_mediation"]  # grid worker, due 3 Apr
    clock.set(local(2026, 4, 13, 10, 0))
    desk.do(task, "grid", {"result": "failed", "summary": "双方分歧较大，未达成协议"})
    sign_in(client, "supervisor")
    rates = client.get("/supervision/departments?start=2026-04-01&end=2026-04-30").data.decode()
    assert "梁家墩镇第1村第1网格网格员" in rates and "0.00%" in rates
    orders = client.get("/supervision/orders").data.decode()
    assert first.code in orders and "待签发" in orders
    order_link = orders.split('href="/supervision/orders/')[1].split('"')[0]
    detail = client.get(f"/supervision/orders/{order_link}").data.decode()
    assert "签发督办单" in detail and "承办单位尚未提交逾期说明" in detail
    assert client.get("/supervision/orders?status=closed").data.decode().count("data-order-id") == 0
