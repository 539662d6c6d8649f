"""Overdue is a fact of the task whatever ended it: a grid task escalated by its timer is
超时上交 in 逾期台账, lowers the grid's 按期办结率, and the month report, the API indicators and
both Excel files agree on the figure."""

import io
from datetime import date

from openpyxl import load_workbook

from app.extensions import db
from app.reports import services as reports
from app.supervision import stats
from app.supervision.overdue_facts import outcome_label
from app.unit_of_work import run_unit
from app.workflow import services
from app.workflow.models import HumanTask, TaskState
from tests.helpers import sign_in
from tests.processes.conftest import local, resolved


def _timed_out_and_on_time(desk, org, clock):
    """Case A: the grid task times out (escalated to the village, which resolves it on time).
    Case B: the grid worker resolves it on time. March 2026, 甘州区 第1网格."""
    clock.set(local(2026, 3, 2, 9, 0))  # Monday; level one is due at the end of Tuesday
    late, prompt = desk.open(), desk.open(title="邻里占道纠纷")
    grid_b = desk.task(prompt, "level_mediation")
    desk.do(grid_b, "grid", resolved())
    grid_a = desk.task(late, "level_mediation")
    desk.at(local(2026, 3, 4, 0, 0, 1))  # the boundary timer fires: 期满未化解，上交上一级
    village = desk.task(late, "level_mediation")
    assert village.lane == "村调委会"
    clock.set(local(2026, 3, 4, 10, 0))
    desk.do(village, "village", resolved())
    return late, desk.case(late.code), grid_a.id


def test_a_grid_task_escalated_by_its_timer_is_overdue_everywhere(desk, org, clock, client, no_csrf,
                                                                    make_key):
    late, _case, grid_task_id = _timed_out_and_on_time(desk, org, clock)
    db.session.expire_all()
    row = db.session.get(HumanTask, grid_task_id)
    assert (row.state, row.timed_out, outcome_label(row)) == (TaskState.CANCELLED, True, "超时上交")

    clock.set(local(2026, 4, 2, 9, 0))  # March is over
    sign_in(client, "supervisor")
    page = client.get("/supervision/overdue").data.decode()
    assert late.code in page and "超时上交" in page
    only = client.get("/supervision/overdue?state=timed_out").data.decode()
    assert late.code in only and grid_task_id in only
    assert grid_task_id not in client.get("/supervision/overdue?state=open").data.decode()
    sheet = load_workbook(io.BytesIO(client.get("/supervision/overdue.xlsx?state=timed_out").data)).active
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert [(r[0], r[11]) for r in rows] == [(late.code, "超时上交")]

    # The grid worker's post: one on time (case B), one timed out (case A) → 50.00%.
    grid = org.unit("zy-1-1-1-1")
    league = {s.label: s for s in stats.department_stats(
        org.unit("zy-1"), local(2026, 3, 1), local(2026, 4, 1), clock.now())}
    worker = league[f"{grid.name}网格员"]
    assert (worker.on_time, worker.overdue, worker.on_time_rate) == (1, 1, "50.00%")
    assert "50.00%" in client.get("/supervision/departments?start=2026-03-01&end=2026-03-31").data.decode()

    # The grid's month report: grid B and village A on time, grid A overdue → 66.67%.
    report = reports.compute(grid, "monthly", date(2026, 3, 1), clock)["current"]
    assert (report["counts"]["tasks_on_time"], report["counts"]["overdue"]) == (2, 1)
    assert report["on_time_rate_text"] == report["rates"]["on_time_rate"]["text"] == "66.67%"
    body = make_key().get("/api/v1/reports/indicators?from=2026-03-01&to=2026-03-31"
                          f"&org_unit={grid.code}").json
    assert (body["on_time_rate"], body["overdue"]) == ("66.67", 1)
    on_time = next(r for r in body["rates"] if r["key"] == "on_time_rate")
    assert (on_time["rate"], on_time["numerator"], on_time["denominator"]) == ("66.67", 2, 3)
    assert on_time["definition"].startswith("按期办结率 = ")
    book = load_workbook(io.BytesIO(client.get(
        f"/reports/view.xlsx?org_unit_id={grid.id}&kind=monthly&day=2026-03-01").data))
    overview = {r[0]: r[1] for r in book["概览"].iter_rows(values_only=True) if r and r[0]}
    assert (overview["逾期任务"], overview["按期办结率（%）"]) == (1, 66.67)
    assert "66.67%" in client.get(f"/reports/view?org_unit_id={grid.id}&kind=monthly&day=2026-03-01"
                                  ).data.decode()


def test_a_task_withdrawn_before_its_deadline_is_not_overdue(desk, org, clock):
    clock.set(local(2026, 3, 2, 9, 0))
    case = desk.open()
    task = desk.task(case, "level_mediation")
    run_unit(lambda: services.cancel_instance(task.instance_id, clock=clock, reason="合并"))
    db.session.expire_all()
    row = db.session.get(HumanTask, task.id)
    assert (row.timed_out, outcome_label(row)) == (False, "撤销")
    clock.set(local(2026, 4, 2, 9, 0))
    report = reports.compute(org.unit("zy-1-1-1-1"), "monthly", date(2026, 3, 1), clock)["current"]
    assert (report["counts"]["overdue"], report["counts"]["tasks_due"]) == (0, 0)


def test_the_done_tab_shows_the_outcome_not_the_time_left(desk, org, clock, client, no_csrf):
    clock.set(local(2026, 3, 2, 9, 0))
    case = desk.open()
    desk.do(desk.task(case, "level_mediation"), "grid", resolved())
    sign_in(client, "grid")
    done = client.get("/?tab=done").data.decode()
    assert case.code in done and "按期办结" in done and "剩余" not in done
