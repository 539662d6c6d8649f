"""Intake at the window goes through the same door as every channel: the duplicate check runs."""

import pytest
from sqlalchemy import select

from app.cases.models import Case
from app.channels.duplicates.models import CaseDuplicate
from app.extensions import db
from tests.functional.test_inbox_access import sign_in
from tests.processes.conftest import processes  # noqa: F401 - fixture


@pytest.fixture
def no_csrf(app):
    app.config["WTF_CSRF_ENABLED"] = False


def _form(org, **overrides):
    form = {"org_unit_id": org.unit("zy-1-1-1-1").id, "title": "邻里排水纠纷",
            "narrative": "两户因院落排水问题发生争执。", "channel": "walk_in", "category": "neighbour",
            "risk_tier": "yellow", "people_count": "2", "parties.0.name": "张三",
            "parties.0.role": "applicant", "parties.0.phone": "13912345678"}
    form.update(overrides)
    return form


def test_a_walk_in_case_repeating_an_open_one_is_flagged(client, no_csrf, processes, org):  # noqa: F811
    sign_in(client, "clerk")
    assert client.post("/cases/new", data=_form(org)).status_code == 302
    assert client.post("/cases/new", data=_form(org, title="排水沟再起纠纷")).status_code == 302
    first, second = db.session.scalars(select(Case).order_by(Case.id)).all()
    [flag] = db.session.scalars(select(CaseDuplicate)).all()
    assert (flag.case_id, flag.duplicate_of_id) == (second.id, first.id)


def test_blank_amount_stays_blank(client, no_csrf, processes, org):  # noqa: F811
    sign_in(client, "clerk")
    client.post("/cases/new", data=_form(org))
    case = db.session.scalar(select(Case))
    body = client.get(f"/cases/{case.code}").data.decode()
    assert "0.00 元" not in body and "未填写" in body
