"""The case record: codes per year, personal data masked, intake validated, estimated deadlines."""

import pytest
from sqlalchemy import func, select

from app.cases.models import Case, Party
from app.errors import ValidationFailed
from app.extensions import db
from app.workflow.models import ProcessInstance
from tests.processes.conftest import end_of, local


def test_codes_count_per_year(desk, clock):
    codes = [desk.open().code for _ in range(3)]
    assert codes == ["ZY-2026-000001", "ZY-2026-000002", "ZY-2026-000003"]
    clock.set(local(2027, 1, 4, 9, 0))
    assert desk.open().code == "ZY-2027-000001"


def test_personal_data_is_stored_and_masked_for_lists(desk):
    case = desk.open()
    first, second = desk.case(case.code).parties
    assert (first.id_number, first.masked_id_number) == ("620702198001011231", "620702********1231")
    assert (first.phone, first.masked_phone) == ("13912345678", "139****5678")
    assert (second.id_number, second.masked_id_number) == (None, None)


def test_invalid_intake_creates_nothing(desk):
    with pytest.raises(ValidationFailed) as raised:
        desk.open(category="gossip", parties=[{"name": "张三", "role": "applicant", "id_number": "123"}])
    bad_id = "「身份证号」不是有效的身份证号（校验位或出生日期不符）"
    assert raised.value.errors == {"category": ["「纠纷类别」请从给定选项中选择"],
                                   "parties.0.id_number": [bad_id]}
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0
    assert db.session.scalar(select(func.count()).select_from(Party)) == 0
    assert db.session.scalar(select(func.count()).select_from(ProcessInstance)) == 0


def test_deadline_in_an_unpublished_year_is_flagged_estimated(desk, clock):
    clock.set(local(2026, 12, 31, 9, 0))  # Thursday; 2027's holiday schedule is not published
    case = desk.open()
    [grid] = desk.tasks(case)
    assert grid.due_at == end_of(2027, 1, 1)  # weekdays only: New Year's Day is not known
    case = desk.case(case.code)
    assert (case.current_due_at, case.due_estimated) == (end_of(2027, 1, 1), True)

    clock.set(local(2026, 3, 2, 9, 0))
    assert desk.case(desk.open().code).due_estimated is False
