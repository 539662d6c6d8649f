"""风险预警: each rule fires on its evidence and stays quiet below its threshold; raised once;
thresholds editable by the admin; the coordinator sees the warnings."""

from datetime import timedelta
from itertools import count

import pytest
from sqlalchemy import select

from app.cases.models import Case, CaseStatus, Party, RiskTier
from app.errors import ValidationFailed
from app.extensions import db
from app.supervision import warnings
from app.supervision.warning_models import RiskWarning
from app.unit_of_work import run_unit
from app.workflow.models import Deployment, HumanTask, InstanceStatus, ProcessInstance, TaskState
from tests.helpers import sign_in
from tests.processes.conftest import local

NOW = local(2026, 3, 20, 10, 0)
_numbers = count(1)


@pytest.fixture
def cases(org, clock):
    """Insert cases: cases(ages_in_days, grid=..., id_number=..., address=..., tier=...)."""
    clock.set(NOW)

    def add(*ages, grid="zy-1-1-1-1", id_number=None, phone=None, address="", tier=RiskTier.BLUE,
            hours=False):
        def work():
            made = []
            for age in ages:
                number = next(_numbers)
                at = NOW - (timedelta(hours=age) if hours else timedelta(days=age))
                case = Case(code=f"ZY-2026-8{number:05d}", title=f"纠纷{number}", narrative="-",
                            channel="walk_in", category="neighbour", risk_tier=tier, people_count=2,
                            address=address,
                            org_unit_id=org.unit(grid).id, received_at=at, status=CaseStatus.IN_PROGRESS,
                            updated_at=at)
                case.parties = [Party(name="王五", role="applicant", id_number=id_number, phone=phone)]
                db.session.add(case)
                made.append(case)
            db.session.flush()
            return [c.code for c in made]
        return run_unit(work)
    return add


def sweep(clock):
    return run_unit(lambda: warnings.sweep_warnings(clock))


def raised(rule):
    db.session.expire_all()
    return db.session.query(RiskWarning).filter_by(rule=rule).all()


def test_the_same_party_in_three_cases_within_30_days(cases, clock):
    codes = cases(1, 5, 29, id_number="620702198001011234")
    cases(2, 40, id_number="620702199002023456")  # twice in 30 days: below the threshold
    assert sweep(clock) == 1
    [warning] = raised("repeat_party")
    assert warning.evidence["cases"] == list(reversed(codes)) and "王五" in warning.text
    assert warning.org_unit_id == db.session.scalar(select(Case.org_unit_id).where(Case.code == codes[0]))
    assert sweep(clock) == 0  # raised once


def test_cases_outside_the_window_do_not_count_for_the_party(cases, clock):
    cases(1, 31, 45, phone="13912345678")
    assert sweep(clock) == 0 and raised("repeat_party") == []


def test_the_same_place_three_times(cases, clock):
    cases(1, 2, 3, address="梁家墩镇第1村3组")
    cases(1, 2, address="梁家墩镇第1村5组")
    cases(1, address="梁家墩镇第1村3组", grid="zy-1-1-1-2")  # same words, another grid
    sweep(clock)
    [warning] = raised("repeat_place")
    assert warning.evidence["address"] == "梁家墩镇第1村3组" and len(warning.evidence["cases"]) == 3


def test_a_grid_surging_above_its_trailing_mean(cases, clock, org):
    cases(*[10 + 7 * w for w in range(8)])  # one a week for eight weeks before
    cases(0.5, 1, 2, 3, 4, 5)  # six in the last seven days
    cases(*[10 + 7 * w for w in range(8)], *[10 + 7 * w for w in range(8)], grid="zy-1-2-1-1")  # steady
    cases(1, 2, grid="zy-1-2-1-1")
    sweep(clock)
    [warning] = raised("grid_surge")
    assert warning.org_unit_id == org.unit("zy-1-1-1-1").id
    assert (warning.evidence["current"], warning.evidence["mean"]) == (6, 1.0)


def test_a_small_rise_is_not_a_surge(cases, clock):
    cases(*[10 + 7 * w for w in range(8)])
    cases(1, 2, 3, 4)  # above the mean of 1 but under the minimum of 5
    sweep(clock)
    assert raised("grid_surge") == []


def _task(code, claimed_at):
    deployment = Deployment(process_id="dispute", version=77, content_hash="w", created_at=NOW)
    db.session.add(deployment)
    db.session.flush()
    db.session.add(ProcessInstance(id=f"i-{code}", deployment_id=deployment.id, process_id="dispute",
                                   business_key=code, status=InstanceStatus.RUNNING, state="{}",
                                   created_at=NOW, updated_at=NOW))
    db.session.add(HumanTask(id=f"t-{code}", instance_id=f"i-{code}", process_id="dispute", business_key=code,
                             bpmn_id="red_review", title="红色风险研判处置", state=TaskState.READY,
                             created_at=NOW - timedelta(hours=30), claimed_at=claimed_at))
    db.session.flush()


def test_a_red_case_untouched_for_24_hours(cases, clock):
    [untouched] = cases(25, tier=RiskTier.RED, hours=True)
    [claimed] = cases(30, tier=RiskTier.RED, hours=True)
    cases(10, tier=RiskTier.RED, hours=True)  # not yet 24 hours
    cases(48, tier=RiskTier.YELLOW, hours=True)  # not red
    run_unit(lambda: _task(claimed, NOW - timedelta(hours=2)))
    sweep(clock)
    [warning] = raised("red_untouched")
    assert warning.evidence["cases"] == [untouched]


def test_the_admin_edits_thresholds_and_switches_a_rule_off(cases, clock, org, client, no_csrf):
    cases(1, 2, id_number="620702198001011234")
    assert sweep(clock) == 0
    with pytest.raises(ValidationFailed):
        run_unit(lambda: warnings.set_rule("repeat_party", {"cases": "x"}, True, actor_id=None, now=NOW))
    sign_in(client, "coordinator")
    assert client.post("/dashboard/warning-rules", data={"rule": "repeat_party", "cases": 2,
                                                         "days": 30, "enabled": "1"}).status_code == 403
    sign_in(client, "admin")
    page = client.get("/dashboard/warning-rules").data.decode()
    assert "同一当事人多次纠纷" in page and 'value="3"' in page
    bad = client.post("/dashboard/warning-rules", data={"rule": "repeat_party", "cases": "-1", "days": 30,
                                                        "enabled": "1"})
    assert bad.status_code == 422
    assert client.post("/dashboard/warning-rules", data={"rule": "repeat_party", "cases": 2, "days": 30,
                                                         "enabled": "1"}).status_code == 302
    assert sweep(clock) == 1
    client.post("/dashboard/warning-rules", data={"rule": "repeat_party", "cases": 2, "days": 30})
    cases(1, 2, id_number="620702199002023456")
    assert sweep(clock) == 0  # switched off

    sign_in(client, "coordinator")
    shown = client.get("/dashboard/warnings").data.decode()
    assert "王五在 30 天内涉及 2 件纠纷" in shown
    data = client.get("/dashboard/data.json").json
    assert data["warnings"][0]["rule"] == "同一当事人多次纠纷"
