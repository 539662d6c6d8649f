"""Sign-in, CSRF, and the access matrix of every inbox/task endpoint."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.org.demo import DEMO_PASSWORD
from app.unit_of_work import run_unit
from app.workflow import services
from app.workflow.models import HumanTask, TaskState
from tests.helpers import sign_in

GOOD = {"result": "resolved", "summary": "双方达成一致意见"}


@pytest.fixture
def grid_task(deployed, org, clock):
    """A ready task for the grid worker of 梁家墩镇第1村第1网格 (case in 甘州区)."""
    instance = run_unit(lambda: services.start_instance(
        "two_step", business_key="ZY-2026-000001", org_unit_id=org.unit("zy-1-1-1-1").id,
        data={}, clock=clock))
    return db.session.scalar(select(HumanTask).where(HumanTask.instance_id == instance.id))


def claimed_by_grid(task, org, clock):
    run_unit(lambda: services.claim_task(task.id, actor=org.actor("grid"), clock=clock))


ACTORS = ["grid", "hrss", "supervisor", None]
MATRIX = [
    # (method, path, needs claim first, data, expected per actor: own, other dept, supervisor, anon)
    ("GET", "/", False, None, (200, 200, 200, 302)),
    ("GET", "/?tab=mine", False, None, (200, 200, 200, 302)),
    ("GET", "/?tab=due", False, None, (200, 200, 200, 302)),
    ("GET", "/tasks/{id}", False, None, (200, 403, 200, 302)),
    ("POST", "/tasks/{id}/claim", False, {}, (302, 403, 403, 302)),
    ("POST", "/tasks/{id}/release", True, {}, (302, 403, 403, 302)),
    ("POST", "/tasks/{id}/complete", True, GOOD, (302, 403, 403, 302)),
]


@pytest.mark.parametrize("actor_index", range(4), ids=["own", "other_dept", "supervisor", "anon"])
@pytest.mark.parametrize(("method", "path", "claim", "data", "expected"), MATRIX,
                         ids=[f"{m} {p}" for m, p, *_ in MATRIX])
def test_access_matrix(client, no_csrf, grid_task, org, clock, method, path, claim, data,
                       expected, actor_index):
    if claim:
        claimed_by_grid(grid_task, org, clock)
    username = ACTORS[actor_index]
    if username:
        sign_in(client, username)
    url = path.format(id=grid_task.id)
    response = client.get(url) if method == "GET" else client.post(url, data=data)
    assert response.status_code == expected[actor_index], response.data.decode()[:300]
    if expected[actor_index] == 302 and username is None:
        assert response.headers["Location"].startswith("/login")


def test_unknown_task_is_404(client, no_csrf, grid_task):
    sign_in(client, "grid")
    assert client.get("/tasks/00000000-0000-0000-0000-000000000000").status_code == 404


def test_forbidden_task_access_is_logged(client, no_csrf, grid_task, caplog):
    sign_in(client, "hrss")
    with caplog.at_level("WARNING", logger="onedoor.access"):
        assert client.get(f"/tasks/{grid_task.id}").status_code == 403
    assert any("403 GET /tasks/" in r.getMessage() for r in caplog.records)


def test_post_without_csrf_token_is_refused(client, grid_task):
    sign_in_response = client.get("/login")
    assert sign_in_response.status_code == 200
    response = client.post("/login", data={"username": "grid", "password": DEMO_PASSWORD})
    assert response.status_code == 400  # no CSRF token
    assert "页面已过期" in response.data.decode()


def test_wrong_password_shows_a_chinese_error(client, no_csrf):
    response = client.post("/login", data={"username": "grid", "password": "nope"})
    assert response.status_code == 400
    assert "用户名或密码不正确" in response.data.decode()


def test_inbox_lists_the_task_with_time_left(client, no_csrf, grid_task):
    sign_in(client, "grid")
    page = client.get("/").data.decode()
    assert "ZY-2026-000001" in page and "网格员首调" in page
    assert "剩余 1 个工作日" in page


def test_invalid_submission_shows_field_errors_and_saves_nothing(client, no_csrf, grid_task, org,
                                                                  clock):
    claimed_by_grid(grid_task, org, clock)
    sign_in(client, "grid")
    response = client.post(f"/tasks/{grid_task.id}/complete",
                           data={"result": "resolved", "summary": "短"})
    assert response.status_code == 422
    body = response.data.decode()
    assert "「调解情况」至少需要 5 个字" in body and 'aria-invalid="true"' in body
    db.session.expire_all()
    assert db.session.get(HumanTask, grid_task.id).state == TaskState.READY


def test_complete_moves_the_case_on(client, no_csrf, grid_task, org, clock):
    claimed_by_grid(grid_task, org, clock)
    sign_in(client, "grid")
    response = client.post(f"/tasks/{grid_task.id}/complete",
                           data={"result": "resolved", "summary": "双方达成一致意见"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(HumanTask, grid_task.id).state == TaskState.COMPLETED
    sign_in(client, "mediator")
    assert "中心复核" in client.get("/").data.decode()


def test_supervisor_sees_the_task_but_it_is_not_in_their_todo(client, no_csrf, grid_task):
    sign_in(client, "supervisor")
    assert client.get(f"/tasks/{grid_task.id}").status_code == 200
    assert "ZY-2026-000001" not in client.get("/").data.decode()


def test_scope_switch_narrows_the_inbox(client, no_csrf, grid_task, org):
    from app.auth.services import scopes_of  # noqa: PLC0415
    from app.org.models import Membership, Role, User  # noqa: PLC0415

    user = db.session.scalar(select(User).where(User.username == "grid"))
    db.session.add(Membership(user_id=user.id, department_id=org.department("hrss").id,
                              role=Role.HANDLER))
    db.session.commit()
    sign_in(client, "grid")
    assert "ZY-2026-000001" in client.get("/").data.decode()
    hrss_scope = next(s for s in scopes_of(user.id) if "人社局" in s.label)
    client.post("/scope", data={"membership_id": hrss_scope.membership_id, "next": "/"})
    assert "ZY-2026-000001" not in client.get("/").data.decode()
    client.post("/scope", data={"membership_id": 0, "next": "/"})
    assert "ZY-2026-000001" in client.get("/").data.decode()
    client.post("/scope", data={"membership_id": 999999, "next": "/"})
    assert "无法切换到该岗位" in client.get("/").data.decode()


def _second_grid_worker(org, clock):
    from app.org.models import Membership, Role, User  # noqa: PLC0415

    user = User(username="grid2", display_name="李网格", created_at=clock.now(), password_hash="-")
    db.session.add(user)
    db.session.flush()
    db.session.add(Membership(user_id=user.id, org_unit_id=org.unit("zy-1-1-1-1").id,
                              role=Role.GRID_WORKER))
    db.session.commit()
    return user


def test_draft_is_kept_and_shown_again(client, no_csrf, grid_task, org, clock):
    claimed_by_grid(grid_task, org, clock)
    sign_in(client, "grid")
    client.post(f"/tasks/{grid_task.id}/draft", data={"summary": "已联系双方，约定周五面谈"})
    db.session.expire_all()
    assert db.session.get(HumanTask, grid_task.id).draft == {"summary": "已联系双方，约定周五面谈"}
    assert "已联系双方，约定周五面谈" in client.get(f"/tasks/{grid_task.id}").data.decode()


def test_holder_hands_over_and_supervisor_reassigns(client, no_csrf, grid_task, org, clock):
    colleague = _second_grid_worker(org, clock)
    claimed_by_grid(grid_task, org, clock)
    sign_in(client, "grid")
    assert client.post(f"/tasks/{grid_task.id}/assign", data={"to_user_id": colleague.id}).status_code == 302
    db.session.expire_all()
    assert db.session.get(HumanTask, grid_task.id).assignee_id == colleague.id
    grid_user = org.actor("grid").user_id
    sign_in(client, "supervisor")
    assert client.post(f"/tasks/{grid_task.id}/assign", data={"to_user_id": grid_user}).status_code == 302
    db.session.expire_all()
    assert db.session.get(HumanTask, grid_task.id).assignee_id == grid_user


def test_others_cannot_reassign_or_hand_to_outsiders(client, no_csrf, grid_task, org, clock):
    claimed_by_grid(grid_task, org, clock)
    sign_in(client, "mediator")
    hrss = org.actor("hrss").user_id
    assert client.post(f"/tasks/{grid_task.id}/assign", data={"to_user_id": hrss}).status_code == 403
    sign_in(client, "grid")
    response = client.post(f"/tasks/{grid_task.id}/assign", data={"to_user_id": hrss})
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(HumanTask, grid_task.id).assignee_id == org.actor("grid").user_id


def test_bell_counts_new_tasks_until_marked_read(client, no_csrf, grid_task, clock):
    sign_in(client, "grid")
    page = client.get("/").data.decode()
    assert "1 条未读" in page
    listing = client.get("/notifications").data.decode()
    assert "新任务" in listing and "网格员首调" in listing and 'data-unread="true"' in listing
    clock.advance(minutes=5)
    client.post("/notifications/read")
    assert "条未读" not in client.get("/").data.decode()
    assert 'data-unread="true"' not in client.get("/notifications").data.decode()
