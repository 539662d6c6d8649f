"""Several `flask worker` processes run the deadline job at once: every notice and order exactly once."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.supervision.models import DeadlineNotice, SupervisionOrder
from tests.processes.conftest import local

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def postgres(database):
    if database[0] != "postgresql":
        pytest.skip("needs PostgreSQL: row locks and several connections")


def _spawn(database_uri: str, log: Path, now) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_uri, "FLASK_APP": "wsgi.py",
           "ONEDOOR_WORKER_POLL_SECONDS": "0.2"}
    command = [sys.executable, "-m", "flask", "worker", "--until-idle", "--now", now.isoformat()]
    with log.open("w") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


@pytest.mark.postgres_only
def test_three_workers_write_each_notice_and_order_once(postgres, database_uri, desk, clock, tmp_path):
    clock.set(local(2026, 4, 2, 9, 0))
    codes = [desk.open(category="consumer", amount=800, title=f"网购家电退货纠纷{n}").code for n in range(6)]
    now = local(2026, 4, 13, 0, 0, 1)
    workers = [_spawn(database_uri, tmp_path / f"w{n}.log", now) for n in range(3)]
    for worker in workers:
        assert worker.wait(timeout=180) == 0, (tmp_path / "w0.log").read_text()[-2000:]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(SupervisionOrder)) == len(codes)
    per_kind = dict(db.session.execute(select(DeadlineNotice.kind, func.count())
                                       .group_by(DeadlineNotice.kind)).all())
    assert {kind.value: n for kind, n in per_kind.items()} == {"chase": 6, "supervision": 6}
