"""中心吹哨 to 16 departments over two real gunicorn nodes (2 workers each) on PostgreSQL.

The whistle's children are created in this test process; every report-in and opinion is then
completed over HTTP, concurrently, by workers that never created them — the deployment as
the outside review ran it. Every opinion must arrive, 联合调解 must appear once, and the
consistency check must find nothing.
"""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from app.api import keys
from app.extensions import db
from app.org.demo import DEPARTMENTS
from app.org.models import Membership, Role, User
from app.unit_of_work import run_unit
from app.workflow import doctor, services
from app.workflow.models import HumanTask, TaskState
from tests.processes.test_whistle import REPORT

ROOT = Path(__file__).resolve().parents[2]
PORTS = (18101, 18102)  # engine-core's range; one per node
CODES = [code for code, _, _ in DEPARTMENTS]
pytestmark = pytest.mark.postgres_only


@pytest.fixture
def postgres_url(database):
    if database[0] != "postgresql":
        pytest.skip("needs PostgreSQL: two nodes share one database")
    return database[1]


def _handlers(org, now) -> dict[str, str]:
    """One handler per 甘州区 department with a personal API token: code → token secret."""
    def add():
        hashed = db.session.scalar(select(User.password_hash).where(User.username == "hrss"))
        secrets = {}
        for code in CODES:
            user = User(username=f"h_{code}", display_name=f"{code}承办人", created_at=now,
                        password_hash=hashed)
            db.session.add(user)
            db.session.flush()
            db.session.add(Membership(user_id=user.id, department_id=org.department(code).id,
                                      role=Role.HANDLER))
            db.session.flush()
            secrets[code] = keys.create_token(user.username, "whistle test", now)[1]
        return secrets
    return run_unit(add)


def _start_node(url: str, port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "test-only-secret",
           "ONEDOOR_ENV": "production", "ONEDOOR_HOTLINE_SECRET": "test-only-12345",
           "ONEDOOR_REFERRAL_SECRET": "test-only-referral"}
    with log.open("w") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{port}",
             "--workers", "2", "--timeout", "60", "wsgi:app"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def _wait_ready(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            time.sleep(0.2)
    raise RuntimeError(f"node on {port} not ready: {log.read_text()[-2000:]}")


@pytest.fixture
def nodes(postgres_url, tmp_path):
    """Two gunicorn nodes of 2 workers each on the test database."""
    started = []
    try:
        for port in PORTS:
            log = tmp_path / f"gunicorn-{port}.log"
            started.append((port, _start_node(postgres_url, port, log), log))
        for port, process, log in started:
            _wait_ready(port, process, log)
        yield PORTS
    finally:
        for _, process, _ in started:
            process.terminate()
        for _, process, _ in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _post(port: int, secret: str, path: str, body: dict | None = None) -> int:
    """POST to the API; retry a 409 (someone else changed the instance at the same moment)."""
    data = json.dumps(body or {}, ensure_ascii=False).encode()
    for attempt in range(20):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1{path}", data=data, method="POST",
            headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            if exc.code != 409:
                raise AssertionError(f"{path}: {exc.code} {exc.read().decode()}") from exc
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError(f"{path}: still 409 after 20 attempts")


def _task_id(engine, instance_id: str, bpmn_id: str, department_id: int) -> str:
    """The open task of one department, read as another process would (own connection)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            found = connection.scalar(select(HumanTask.id).where(
                HumanTask.instance_id == instance_id, HumanTask.bpmn_id == bpmn_id,
                HumanTask.candidate_department_id == department_id,
                HumanTask.state == TaskState.READY))
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"no {bpmn_id} task for department {department_id}")


def _department_reports(port, secret, engine, instance_id, department_id, code) -> None:
    for bpmn_id, data in (("report_in", REPORT), ("opinion_task", {"opinion": f"{code}部门意见：依法处理"})):
        task_id = _task_id(engine, instance_id, bpmn_id, department_id)
        assert _post(port, secret, f"/tasks/{task_id}/claim") == 200
        assert _post(port, secret, f"/tasks/{task_id}/complete", {"data": data}) == 200


def test_sixteen_departments_over_two_nodes_all_opinions_arrive(desk, org, clock, nodes):
    clock.set(datetime.now(UTC))  # the nodes run on the real clock
    secrets = _handlers(org, clock.now())
    case = desk.open(category="requisition", title="征地补偿群体纠纷", people_count=25, amount=300000)
    [call] = desk.tasks(case)
    desk.do(call, "coordinator", {"departments": CODES, "whistle_note": "请各部门到中心报到"})
    instance_id = desk.instance(case).id
    departments = {code: org.department(code).id for code in CODES}

    with ThreadPoolExecutor(max_workers=len(CODES)) as pool:
        futures = [pool.submit(_department_reports, nodes[i % 2], secrets[code], db.engine,
                               instance_id, departments[code], code) for i, code in enumerate(CODES)]
        for future in futures:
            future.result()

    db.session.expire_all()
    opinions = services.instance_data(instance_id)["opinions"]
    assert sorted(opinions) == sorted(f"{code}部门意见：依法处理" for code in CODES)
    assert [t.bpmn_id for t in desk.tasks(case)] == ["joint_mediation"]
    assert run_unit(lambda: doctor.examine(clock.now())) == []
