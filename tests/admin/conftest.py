"""Fixtures for the admin area: signed-in clients and a county administrator."""

import pytest

from app.extensions import db
from app.org.demo import DEMO_PASSWORD
from app.org.models import Membership, Role, User
from app.unit_of_work import run_unit

DEMO_USERS = ["clerk", "mediator", "grid", "village", "township", "coordinator", "hrss",
              "supervisor", "designer", "admin"]


@pytest.fixture(autouse=True)
def _no_csrf(app):
    """Form posts without tokens (CSRF itself is tested in tests/functional)."""
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def county_admin(org, clock):
    """An administrator of 甘州区 (zy-1) only."""
    def make():
        user = User(username="gzadmin", display_name="甘州管理", created_at=clock.now())
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        db.session.flush()
        db.session.add(Membership(user_id=user.id, org_unit_id=org.unit("zy-1").id, role=Role.ADMIN))
        return user.username

    return run_unit(make)
