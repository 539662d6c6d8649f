"""Grid reports (陇情e通): disputes start 四级七天 at the grid; hazards route; batches report per item."""

import time

import pytest

from app.cases.models import Case
from app.channels.grid.models import GridReport
from app.extensions import db
from app.org.models import Department

PARTIES = [{"name": "张三", "role": "applicant", "phone": "13912345678"},
           {"name": "李四", "role": "respondent"}]


def item(n: int, kind: str = "sentiment", **overrides) -> dict:
    """One app item from grid zy-1-1-1-1."""
    body = {"external_id": f"LQ-{n:05d}", "kind": kind, "grid_code": "zy-1-1-1-1", "reporter": "张网格",
            "title": f"网格上报事项{n}", "content": "网格员巡查发现的情况，详见现场照片与说明。"}
    if kind == "dispute":
        body.update(category="neighbour", parties=PARTIES, risk_tier="yellow")
    body.update(overrides)
    return body


@pytest.fixture
def app_key(processes, make_key):
    """The 陇情e通 app's key: grid channel only."""
    return make_key(channels=("grid",), name="陇情e通")


def test_a_dispute_starts_four_levels_at_its_grid(app_key, make_user):
    response = app_key.post("/api/v1/grid/reports", json=item(1, "dispute", category="labour"))
    assert response.status_code == 201, response.json
    assert response.json["report_status"] == "case_opened"
    case = db.session.scalar(db.select(Case).where(Case.code == response.json["case_code"]))
    assert (case.channel, case.route, case.level) == ("grid", "four_levels", "网格员首调")
    [task] = make_user("grid").get("/api/v1/tasks").json["items"]
    assert task["business_key"] == case.code and task["lane"] == "网格员"
    again = app_key.post("/api/v1/grid/reports", json=item(1, "dispute", category="labour"))
    assert again.status_code == 200 and again.json["case_code"] == case.code
    assert db.session.scalar(db.select(db.func.count()).select_from(Case)) == 1


def test_hazards_route_to_a_department_and_sentiment_is_recorded(app_key):
    from app.workflow.models import HumanTask  # noqa: PLC0415

    routed = app_key.post("/api/v1/grid/reports", json=item(2, "hazard", department="housing"))
    assert routed.json["report_status"] == "task_opened"
    # through the API as from the phone app: the named department has the task
    [task] = db.session.scalars(db.select(HumanTask).where(HumanTask.process_id == "grid_hazard")).all()
    housing = db.session.scalar(db.select(Department).where(Department.code == "housing",
                                                            Department.id == task.candidate_department_id))
    assert housing is not None and task.state.value == "ready"
    assert app_key.post("/api/v1/grid/reports", json=item(3, "hazard")).json["report_status"] == "recorded"
    assert app_key.post("/api/v1/grid/reports", json=item(4)).json["report_status"] == "recorded"
    unknown = app_key.post("/api/v1/grid/reports", json=item(5, "hazard", department="nasa"))
    assert unknown.status_code == 422 and "department" in unknown.json["errors"]
    lines = app_key.get("/api/v1/grid/reports?org_unit=zy-1").json
    assert {(x["kind"], x["status"]): x["count"] for x in lines} == {
        ("hazard", "recorded"): 1, ("hazard", "task_opened"): 1, ("sentiment", "recorded"): 1}


def test_dispute_without_parties_or_unknown_grid_is_422(app_key):
    response = app_key.post("/api/v1/grid/reports", json=item(6, "dispute", parties=[]))
    assert response.status_code == 422 and "parties" in response.json["errors"]
    response = app_key.post("/api/v1/grid/reports", json=item(7, grid_code="zy-404"))
    assert response.status_code == 422 and "grid_code" in response.json["errors"]


def test_a_batch_of_1000_keeps_the_good_items_and_reports_the_bad(app_key):
    items = [item(n, "hazard" if n % 2 else "sentiment") for n in range(1000)]
    items[10] = item(10, "dispute")
    items[20] = item(20, "dispute", category="marriage_family")
    items[30] = {**item(30), "kind": "gossip"}
    items[40] = {**item(40), "title": None}
    items[50] = item(50, "dispute", parties=None)
    items[60] = item(60, grid_code="zy-404")
    items[70] = "not an object"
    started = time.monotonic()
    response = app_key.post("/api/v1/grid/reports/batch", json={"items": items})
    elapsed = time.monotonic() - started
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["created"], body["rejected"], body["existing"]) == (995, 5, 0)
    results = body["results"]
    assert [r["index"] for r in results] == list(range(1000))
    assert "kind" in results[30]["errors"] and "title" in results[40]["errors"]
    assert "parties" in results[50]["errors"] and "grid_code" in results[60]["errors"]
    assert results[70]["status"] == "rejected"
    assert results[10]["case_code"] and results[20]["case_code"]
    assert db.session.scalar(db.select(db.func.count()).select_from(GridReport)) == 995
    assert elapsed < 30
    again = app_key.post("/api/v1/grid/reports/batch", json={"items": items[:100]})
    assert (again.json["existing"], again.json["created"], again.json["rejected"]) == (95, 0, 5)


def test_batch_limits(app_key):
    too_many = app_key.post("/api/v1/grid/reports/batch", json={"items": [item(1)] * 2001})
    assert too_many.status_code == 422 and "items" in too_many.json["errors"]
    assert app_key.post("/api/v1/grid/reports/batch", json={"items": []}).status_code == 422


def test_other_channels_keys_may_not_upload(processes, make_key):
    response = make_key(channels=("hotline_12345",)).post("/api/v1/grid/reports", json=item(1))
    assert response.status_code == 403


def test_a_batch_checks_each_item_on_its_own_and_an_id_sent_twice_is_created_once(processes, make_key):
    key = make_key(channels=("grid",), units=("zy-1",))
    items = [item(1, "hazard", department="housing"), item(2, "hazard", grid_code="zy-2-1-1-1"),
             item(3, "hazard", department="nasa"), item(1, "hazard", department="housing"),
             item(4, "dispute", grid_code="zy-1-2-1-1"), item(5, "dispute", category=None),
             item(6, grid_code="zy-1-2-1-1"), item(6, grid_code="zy-1-2-1-1"), item(6)]
    body = key.post("/api/v1/grid/reports/batch", json={"items": items}).json
    results = body["results"]
    assert [r["status"] for r in results] == ["created", "rejected", "rejected", "existing", "created",
                                              "rejected", "created", "existing", "rejected"]
    assert results[8]["code"] == "conflict" and list(results[8]["errors"]) == ["grid_code"]
    assert results[1]["code"] == "forbidden" and "department" in results[2]["errors"]
    assert "category" in results[5]["errors"]
    assert results[3]["id"] == results[0]["id"] and results[0]["report_status"] == "task_opened"
    assert results[4]["report_status"] == "case_opened" and results[4]["case_code"]
    assert results[7]["id"] == results[6]["id"]
    reports = db.session.scalars(db.select(GridReport).order_by(GridReport.id)).all()
    assert [r.external_id for r in reports] == ["LQ-00001", "LQ-00004", "LQ-00006"]
    assert [r.id for r in reports] == [results[0]["id"], results[4]["id"], results[6]["id"]]
    again = key.post("/api/v1/grid/reports/batch", json={"items": items[4:5]}).json["results"][0]
    assert (again["status"], again["case_code"]) == ("existing", results[4]["case_code"])


def test_a_batch_reads_ids_grids_and_departments_once_not_per_item(app_key):
    from sqlalchemy import event  # noqa: PLC0415

    grids = [f"zy-1-{t}-{v}-{g}" for t in (1, 2) for v in (1, 2) for g in (1, 2)]
    items = [item(n, "hazard" if n % 2 else "sentiment", grid_code=grids[n % 8],
                  **({"department": "housing"} if n % 4 == 1 else {})) for n in range(400)]
    statements = []

    def count(_conn, _cursor, statement, *_):
        statements.append(statement)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        body = app_key.post("/api/v1/grid/reports/batch", json={"items": items}).json
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert (body["created"], body["rejected"]) == (400, 0)
    assert sum(r["report_status"] == "task_opened" for r in body["results"]) == 100
    # At most one insert per item (PostgreSQL sends them in a few statements), and otherwise the key,
    # its rate count, the ids, the grids and 3 per (department, grid): not 5 more statements per item.
    # Each of the 100 hazards naming a department starts its department's task (a process start:
    # savepoint, report, instance, task, audits): counted apart, and bounded per hazard.
    inserts = [s for s in statements if s.startswith("INSERT INTO grid_report")]
    started = sum(s.startswith("INSERT INTO process_instance") for s in statements)
    assert started == 100
    assert 1 <= len(inserts) <= 400
    assert len(statements) - len(inserts) - started * PER_HAZARD_TASK < 50, statements


PER_HAZARD_TASK = 10
