"""Intake at the window goes through the same door as every channel: the duplicate check runs."""

import pytest
from sqlalchemy import select

from app.cases.models import Case
from app.channels.duplicates.models import CaseDuplicate
from app.extensions import db
from tests.helpers import sign_in


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


@pytest.mark.parametrize(("id_number", "accepted"), [
    ("620702198001011231", True), ("11010519491231002X", True),
    ("620702198001011234", False),   # wrong check digit
    ("620702198002301236", False)])  # 30 February
def test_id_numbers_are_checked_by_gb_11643(client, no_csrf, processes, org, id_number, accepted):  # noqa: F811
    sign_in(client, "clerk")
    response = client.post("/cases/new", data=_form(org, **{"parties.0.id_number": id_number}))
    assert (response.status_code == 302) is accepted
    if not accepted:
        assert response.status_code == 422
        assert "不是有效的身份证号" in response.data.decode()
        assert db.session.scalar(select(Case)) is None


def test_several_parties_and_every_error_at_once(client, no_csrf, processes, org):  # noqa: F811
    sign_in(client, "clerk")
    bad = _form(org, **{"parties.0.id_number": "620702198001011234", "parties.1.name": "李四",
                        "parties.1.role": "respondent", "parties.1.phone": "12345",
                        "people_count": "0"})
    body = client.post("/cases/new", data=bad).data.decode()
    assert "不是有效的身份证号" in body and "「联系电话」的格式不正确" in body
    assert "「涉及人数」不能小于" in body
    good = _form(org, **{"parties.1.name": "李四", "parties.1.role": "respondent"})
    assert client.post("/cases/new", data=good).status_code == 302
    assert [p.name for p in db.session.scalar(select(Case)).parties] == ["张三", "李四"]
