"""The monthly report renders to HTML, print and Excel; issuing freezes it; the worker generates."""

import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from app.extensions import db
from app.org.demo import DEMO_PASSWORD
from app.reports.models import IssuedReport, ReportSnapshot
from app.reports.services import SNAPSHOTS_PER_RUN, generate_snapshots
from app.unit_of_work import run_unit
from tests.conftest import SHANGHAI

MARCH = "kind=monthly&day=2026-03-15"


@pytest.fixture
def supervisor(client, app, seeded):
    app.config["WTF_CSRF_ENABLED"] = False
    response = client.post("/login", data={"username": "supervisor", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return client


def test_monthly_report_renders_to_html_print_and_excel(supervisor, seeded):
    county = seeded.unit("zy-1").id
    page = supervisor.get(f"/reports/view?org_unit_id={county}&{MARCH}").data.decode()
    assert "甘州区2026年3月月总结" in page
    assert 'id="received">25275<' in page and 'id="resolution-rate">95.50%<' in page
    assert 'class="report-chart"' in page and "按渠道受理与化解" in page and "签发报告" in page
    assert "vendor/echarts/echarts.min.js" in page
    assert "12345 热线转办</td><td>314</td><td>300</td><td>95.54%" in page
    printed = supervisor.get(f"/reports/view?org_unit_id={county}&{MARCH}&print=1").data.decode()
    assert "window.print()" in printed and 'class="top"' not in printed and "25275" in printed

    response = supervisor.get(f"/reports/view.xlsx?org_unit_id={county}&{MARCH}")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["概览", "渠道", "类别", "层级"]
    overview = {row[0]: row[1:] for row in book["概览"].iter_rows(min_row=3, values_only=True)}
    assert overview["受理总数"][:3] == (25275, 1600, 23675)
    assert overview["化解率（%）"][0] == 95.5
    channels = {row[0]: row[1:] for row in book["渠道"].iter_rows(min_row=2, values_only=True)}
    assert channels["网格员排查上报"] == (12370, 12283, "99.30%")


def test_analysis_report_needs_recommendations_then_is_frozen(supervisor, seeded, clock):
    clock.set(datetime(2026, 4, 2, 9, 0, tzinfo=SHANGHAI))  # March is over: it may be issued
    county = seeded.unit("zy-1").id
    form = {"org_unit_id": county, "kind": "analysis", "day": "2026-03-01"}
    page = supervisor.get(f"/reports/view?org_unit_id={county}&kind=analysis&day=2026-03-01").data.decode()
    assert "平安形势分析研判报告" in page and "近六个月受理与化解趋势" in page and "甘州区 梁家墩镇" in page
    refused = supervisor.post("/reports/issue", data={**form, "recommendations": "短"})
    assert refused.status_code == 422 and "对策建议" in refused.data.decode()

    advice = "一、征地拆迁类纠纷上升，建议县住建局提前介入。<script>x</script>"
    issued = supervisor.post("/reports/issue", data={**form, "recommendations": advice})
    assert issued.status_code == 302
    row = db.session.scalar(select(IssuedReport))
    assert (row.title, row.issued_by_label, row.kind) == ("甘州区2026年3月平安形势分析研判报告", "吴督办",
                                                          "analysis")
    assert row.indicators["current"]["counts"]["received"] == 25275
    assert "征地拆迁类纠纷上升" in row.html and "<script>x" not in row.html  # escaped when frozen
    shown = supervisor.get(issued.headers["Location"]).data.decode()
    assert "已签发 · 吴督办" in shown and "&lt;script&gt;" in shown
    again = supervisor.post("/reports/issue", data={**form, "recommendations": advice})
    assert again.status_code == 409
    book = load_workbook(io.BytesIO(supervisor.get(f"/reports/issued/{row.id}.xlsx").data))
    assert "对策建议" in book.sheetnames and book["对策建议"]["A2"].value == advice
    assert "已签发报告" in supervisor.get("/reports/").data.decode()

    for statement in ("UPDATE issued_report SET title = 'x'", "DELETE FROM issued_report"):
        with pytest.raises(DatabaseError):
            db.session.execute(text(statement))
        db.session.rollback()
    assert db.session.scalar(select(IssuedReport.title)) == "甘州区2026年3月平安形势分析研判报告"


def test_worker_generates_each_closed_period_once(seeded, clock):
    from datetime import datetime  # noqa: PLC0415

    clock.set(datetime(2026, 4, 1, 2, 0, tzinfo=SHANGHAI))
    made = 0
    while True:
        ran = run_unit(lambda: generate_snapshots(clock))
        made += ran
        if ran < SNAPSHOTS_PER_RUN:
            break
    # city + 6 counties + 12 townships, for 5 kinds
    assert made == 19 * 5
    assert run_unit(lambda: generate_snapshots(clock)) == 0  # a second run finds them done
    march = db.session.scalar(select(ReportSnapshot).where(
        ReportSnapshot.kind == "monthly", ReportSnapshot.org_unit_id == seeded.unit("zy-1").id))
    assert (march.period_start, march.period_end) == (date(2026, 3, 1), date(2026, 4, 1))
    assert march.indicators["current"]["counts"]["received"] == 25275
    assert db.session.scalar(select(func.count()).select_from(ReportSnapshot).where(
        ReportSnapshot.kind == "daily")) == 19


def test_a_running_period_is_issued_only_with_the_as_of_mark(supervisor, seeded, clock):
    clock.set(datetime(2026, 3, 15, 10, 0, tzinfo=SHANGHAI))
    county = seeded.unit("zy-1").id
    form = {"org_unit_id": county, "kind": "monthly", "day": "2026-03-01"}
    page = supervisor.get(f"/reports/view?org_unit_id={county}&kind=monthly&day=2026-03-01").data.decode()
    assert "本期尚未结束，数据截至 2026-03-15 10:00" in page and 'name="as_of"' in page
    refused = supervisor.post("/reports/issue", data=form)
    assert refused.status_code == 422 and "期满后才能签发" in refused.data.decode()
    assert db.session.scalar(select(func.count()).select_from(IssuedReport)) == 0
    issued = supervisor.post("/reports/issue", data={**form, "as_of": "1"})
    assert issued.status_code == 302
    row = db.session.scalar(select(IssuedReport))
    assert row.title == "甘州区2026年3月月总结（截至3月15日10时）"
    assert "数据截至 2026-03-15 10:00" in row.html


def test_an_empty_previous_period_says_no_data(supervisor, seeded, clock):
    clock.set(datetime(2026, 4, 2, 9, 0, tzinfo=SHANGHAI))
    county = seeded.unit("zy-1").id  # February has cases, January none
    page = supervisor.get(f"/reports/view?org_unit_id={county}&kind=monthly&day=2026-02-01").data.decode()
    assert "上期无数据" in page and "个百分点" not in page and "↑" not in page
    rates = page[page.index('id="rates"'):]
    assert "化解率 = 本期受理的案件中已化解" in rates and "按期办结率 = 期限内办结的任务" in rates
    book = load_workbook(io.BytesIO(supervisor.get(
        f"/reports/view.xlsx?org_unit_id={county}&kind=monthly&day=2026-02-01").data))
    overview = {row[0]: row[1:] for row in book["概览"].iter_rows(min_row=3, values_only=True)}
    assert overview["受理总数"][:3] == (1600, "上期无数据", "上期无数据")
    assert overview["化解率（%）"][1:3] == ("上期无数据", "上期无数据")
    assert overview["化解率（%）"][3].startswith("化解率 = ")
