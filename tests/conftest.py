"""Shared fixtures: a migrated database per test (SQLite file or PostgreSQL), a frozen clock.

Set TEST_DATABASE_URL to a PostgreSQL URL (e.g. postgresql://postgres@127.0.0.1:5432/postgres)
to run the suite on PostgreSQL: a throw-away database is created from it and dropped after.
"""

import os
import shutil
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask_migrate import upgrade
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from app import create_app
from app.caches import clear_caches
from app.clock import FrozenClock
from app.extensions import db

pytest_plugins = ["tests.shared_fixtures"]
SHANGHAI = ZoneInfo("Asia/Shanghai")
FIXTURES = Path(__file__).parent / "fixtures"


def _pg_admin_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL", "")
    return url if url.startswith("postgres") else None


def _psycopg_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def pytest_addoption(parser):
    """`--fresh-process`: every step runs as if in a worker process that never saw the last one."""
    parser.addoption(
        "--fresh-process", action="store_true", default=False,
        help="drop every per-process cache (parsed specs, lane resolutions, calendars, policies) "
             "at the start of every transaction, so each service call runs as in a fresh worker")


def drop_process_caches() -> None:
    """Forget everything a worker process remembers between requests: the current app's cache
    registry (app/caches.py; pure functions of their arguments are kept, as a fresh process
    would compute the same values)."""
    clear_caches()


def _drop_on_begin(_session, _transaction, _connection) -> None:
    drop_process_caches()


@pytest.fixture(autouse=True)
def fresh_process(request):
    """In `--fresh-process` mode, start every transaction (= every service call) with cold caches."""
    if not request.config.getoption("--fresh-process"):
        yield False
        return
    event.listen(Session, "after_begin", _drop_on_begin)
    try:
        yield True
    finally:
        event.remove(Session, "after_begin", _drop_on_begin)


@pytest.fixture(scope="session")
def database(tmp_path_factory):
    """A migrated database for the session: ('sqlite', template file) or ('postgresql', url)."""
    admin = _pg_admin_url()
    if admin is None:
        template = tmp_path_factory.mktemp("db") / "template.sqlite3"
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{template}"})
        with app.app_context():
            upgrade()
            db.engine.dispose()
        yield "sqlite", template
        return
    import psycopg  # noqa: PLC0415

    name = f"onedoor_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_psycopg_url(admin), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = admin.rsplit("/", 1)[0] + "/" + name
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": _sqlalchemy_url(url)})
        with app.app_context():
            upgrade()
            db.engine.dispose()
        yield "postgresql", url
    finally:
        with psycopg.connect(_psycopg_url(admin), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def clock():
    """Monday 2 March 2026, 09:00 in Shanghai: an ordinary working week."""
    return FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))


@pytest.fixture
def database_uri(database, tmp_path):
    """A clean database for one test."""
    kind, where = database
    if kind == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copy(where, path)
        return f"sqlite:///{path}"
    return where


@pytest.fixture
def app(database, database_uri, clock):
    """The app bound to a clean, migrated database and the frozen clock."""
    drop_process_caches()
    app = create_app({"SQLALCHEMY_DATABASE_URI": _sqlalchemy_url(database_uri), "TESTING": True},
                     clock=clock)
    with app.app_context():
        if database[0] == "postgresql":
            _truncate_all()
        yield app
        db.session.remove()
        db.engine.dispose()


def _sqlalchemy_url(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _truncate_all() -> None:
    """Empty every table (TRUNCATE skips the audit table's row triggers)."""
    tables = [t.name for t in db.metadata.sorted_tables]
    db.session.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    db.session.commit()


@pytest.fixture
def client(app):
    """A test client for the app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner for the app."""
    return app.test_cli_runner()


class Org:
    """The seeded demo organisation, with lookups the tests need."""

    def unit(self, code: str):
        """Org unit by code."""
        from app.org.models import OrgUnit  # noqa: PLC0415

        return db.session.scalar(db.select(OrgUnit).where(OrgUnit.code == code))

    def actor(self, username: str):
        """The Actor of a demo user."""
        from app.org.models import User  # noqa: PLC0415
        from app.org.services import load_actor  # noqa: PLC0415

        user = db.session.scalar(db.select(User).where(User.username == username))
        return load_actor(user.id)

    def department(self, code: str, county: str = "zy-1"):
        """The department with `code` at a county center."""
        from app.org.models import Department  # noqa: PLC0415

        unit = self.unit(county)
        return db.session.scalar(db.select(Department).where(
            Department.code == code, Department.org_unit_id == unit.id))


@pytest.fixture
def org(app, clock):
    """Seed the Zhangye demo organisation into the test database."""
    from app.org.demo import seed_demo  # noqa: PLC0415
    from app.unit_of_work import run_unit  # noqa: PLC0415

    run_unit(lambda: seed_demo(clock.now()))
    return Org()


def read_fixture_files():
    """The BPMN/DMN/forms under tests/fixtures as a FileSet."""
    from app.workflow.deploy import read_directories  # noqa: PLC0415

    return read_directories(FIXTURES / "processes", FIXTURES / "forms")


@pytest.fixture
def deployed(org, clock):
    """Deploy the fixture processes; return {process_id: Deployment}."""
    from app.unit_of_work import run_unit  # noqa: PLC0415
    from app.workflow.deploy import deploy_files  # noqa: PLC0415

    results = run_unit(lambda: deploy_files(read_fixture_files(), now=clock.now()))
    return {d.process_id: d for d, _ in results}
