"""催办 / 督办 started by hand from the overdue list: a supervisor picks an overdue task, writes a
requirement; 催办 reaches the department's bell with it, 督办 starts the supervision order with the
requirement in its 签发 form; refusals at the field write nothing."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.supervision.models import DeadlineNotice, SupervisionOrder
from app.workflow.models import HumanTask, TaskState
from tests.functional.test_case_file import visible_text
from tests.functional.test_task_actions import labour  # noqa: F401 - fixtures
from tests.helpers import sign_in
from tests.processes.conftest import Desk  # noqa: F401 - fixtures

REQUIREMENT = "请于今日内联系双方当事人，明日前完成调解"


@pytest.fixture
def overdue(labour, clock):  # noqa: F811
    case, task = labour
    clock.set(task.due_at + timedelta(days=2))  # past the deadline (the worker has not run)
    return case, task


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_chase_from_the_overdue_list_reaches_the_department(client, no_csrf, overdue):  # noqa: F811
    case, task = overdue
    sign_in(client, "supervisor")
    listing = client.get("/supervision/overdue").data.decode()
    assert f"/tasks/{task.id}/urge" in listing and "催办/督办" in listing
    assert "催办" in visible_text(client.get(f"/tasks/{task.id}/urge").data.decode())
    response = client.post(f"/tasks/{task.id}/urge", data={"kind": "chase", "requirement": REQUIREMENT})
    assert response.status_code == 302
    [notice] = db.session.scalars(select(DeadlineNotice)).all()
    assert (notice.kind.value, notice.note) == ("chase", REQUIREMENT)
    assert db.session.scalar(select(AuditEvent.summary).where(AuditEvent.action == "task.chased")) \
        ["requirement"] == REQUIREMENT
    sign_in(client, "hrss")
    bell = visible_text(client.get("/notifications").data.decode())
    assert f"催办：案件 {case.code}" in bell and REQUIREMENT in bell
    sign_in(client, "supervisor")
    again = client.post(f"/tasks/{task.id}/urge", data={"kind": "chase", "requirement": REQUIREMENT})
    assert again.status_code == 422 and "该任务已催办过" in again.data.decode()


def test_supervise_starts_the_order_with_the_requirement(client, no_csrf, overdue):  # noqa: F811
    _case, task = overdue
    sign_in(client, "supervisor")
    response = client.post(f"/tasks/{task.id}/urge", data={"kind": "supervise", "requirement": REQUIREMENT})
    assert response.status_code == 302
    [order] = db.session.scalars(select(SupervisionOrder)).all()
    assert order.task_id == task.id
    [issue] = db.session.scalars(select(HumanTask).where(HumanTask.instance_id == order.instance_id,
                                                         HumanTask.state == TaskState.READY)).all()
    assert issue.bpmn_id == "issue_order"
    client.post(f"/tasks/{issue.id}/claim")
    page = client.get(f"/tasks/{issue.id}").data.decode()
    assert REQUIREMENT in page  # the 督办要求 box starts with what the supervisor wrote
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "task.supervised")) == 1


@pytest.mark.parametrize(("user", "kind", "requirement", "status", "message"), [
    ("supervisor", "supervise", "", 422, "请填写督办要求"),
    ("supervisor", "", REQUIREMENT, 422, "请选择催办或督办"),
    ("grid", "chase", REQUIREMENT, 403, "")])
def test_refusals_write_nothing(client, no_csrf, overdue, user, kind, requirement, status,  # noqa: F811
                                message):
    _case, task = overdue
    sign_in(client, user)
    response = client.post(f"/tasks/{task.id}/urge", data={"kind": kind, "requirement": requirement})
    assert response.status_code == status and message in response.data.decode()
    assert (_count(DeadlineNotice), _count(SupervisionOrder)) == (0, 0)


def test_a_task_not_yet_overdue_cannot_be_chased(client, no_csrf, labour, clock):  # noqa: F811
    _case, task = labour
    sign_in(client, "supervisor")
    response = client.post(f"/tasks/{task.id}/urge", data={"kind": "chase", "requirement": REQUIREMENT})
    assert response.status_code == 409 and _count(DeadlineNotice) == 0


def test_the_same_through_the_api_and_the_department_reads_it_on_the_task(
        client, no_csrf, overdue, make_user):  # noqa: F811
    _case, task = overdue
    supervisor, url = make_user("supervisor"), f"/api/v1/tasks/{task.id}/urge"
    short = supervisor.post(url, json={"kind": "chase", "requirement": "快"})
    assert short.status_code == 422 and "requirement" in short.get_json()["errors"]
    made = supervisor.post(url, json={"kind": "chase", "requirement": REQUIREMENT})
    assert made.status_code == 201, made.get_json()
    assert (made.get_json()["kind"], made.get_json()["requirement"]) == ("chase", REQUIREMENT)
    again = supervisor.post(url, json={"kind": "chase", "requirement": REQUIREMENT})
    assert again.status_code == 422 and "kind" in again.get_json()["errors"]
    assert make_user("grid").post(url, json={"kind": "chase", "requirement": REQUIREMENT}).status_code == 403
    sign_in(client, "hrss")
    page = visible_text(client.get(f"/tasks/{task.id}").data.decode())
    assert f"催办要求：{REQUIREMENT}" in page and _count(DeadlineNotice) == 1
