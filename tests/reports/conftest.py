"""A seeded data set with known counts: cases inserted in bulk, a few tasks for the on-time rate."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert, select

from app.cases import taskfacts
from app.cases.models import Case, CaseStatus, RiskTier
from app.extensions import db
from app.unit_of_work import run_unit
from app.workflow.models import Deployment, HumanTask, InstanceStatus, ProcessInstance, TaskState
from tests.conftest import SHANGHAI

# (grid, month, channel, category, route, level, received, resolved) — the hand-countable truth.
# 甘州区 (zy-1) in March 2026: 25,275 received, 24,138 resolved → 95.50%.
# 临泽县 (zy-2) in March 2026: 三调对接 15,612 pushed, 12,431 resolved → 79.62%.
ROWS = [
    ("zy-1-1-1-1", 3, "grid", "neighbour", "four_levels", "网格员", 5000, 4990),
    ("zy-1-1-1-1", 3, "grid", "marriage_family", "four_levels", "村调委会", 4000, 3960),
    ("zy-1-2-1-1", 3, "grid", "housing_land", "four_levels", "网格员", 3370, 3333),
    ("zy-1-1-1-1", 3, "hotline_12345", "consumer", "on_the_spot", None, 314, 300),
    ("zy-1-2-1-1", 3, "walk_in", "labour", "department_window", None, 4077, 3600),
    ("zy-1-1-1-1", 3, "walk_in", "contract", "on_the_spot", None, 5000, 4532),
    ("zy-1-2-1-1", 3, "walk_in", "requisition", "whistle", None, 3514, 3423),
    ("zy-2-1-1-1", 3, "police", "traffic", "referral", None, 6000, 4800),
    ("zy-2-1-1-1", 3, "petition", "requisition", "referral", None, 5612, 4631),
    ("zy-2-1-1-1", 3, "court", "contract", "referral", None, 4000, 3000),
    # February: the previous period of the monthly report.
    ("zy-1-1-1-1", 2, "grid", "neighbour", "four_levels", "网格员", 600, 600),
    ("zy-1-2-1-1", 2, "walk_in", "labour", "department_window", None, 1000, 900),
]
RESOLVED_STATUSES = (CaseStatus.CLOSED, CaseStatus.RESOLVED)


def _cases(units: dict[str, int]) -> list[dict]:
    now = datetime(2026, 4, 1, 9, 0, tzinfo=SHANGHAI)
    rows, number = [], 0
    for grid, month, channel, category, route, level, received, resolved in ROWS:
        days = 31 if month == 3 else 28
        for i in range(received):
            number += 1
            status = RESOLVED_STATUSES[i % 2] if i < resolved else CaseStatus.IN_PROGRESS
            at = datetime(2026, month, 1 + i % days, 10, 0, tzinfo=SHANGHAI)
            rows.append({"code": f"ZY-2026-{number:06d}", "title": "纠纷", "narrative": "-",
                         "channel": channel, "category": category, "risk_tier": RiskTier.BLUE,
                         "people_count": 2, "org_unit_id": units[grid], "received_at": at,
                         "status": status, "route": route, "level": level, "updated_at": now,
                         "closed_at": now if status == CaseStatus.CLOSED else None})
    return rows


def _tasks(org, hrss_id: int) -> None:
    """11 tasks completed in March 2026 (8 on time), one open task overdue since March."""
    at = datetime(2026, 1, 1, tzinfo=SHANGHAI)
    deployment = Deployment(process_id="dispute", version=99, content_hash="seed", created_at=at)
    db.session.add(deployment)
    db.session.flush()
    instance = ProcessInstance(id="seed-instance", deployment_id=deployment.id, process_id="dispute",
                               business_key="ZY-2026-000001", org_unit_id=org.unit("zy-1-1-1-1").id,
                               status=InstanceStatus.RUNNING, state="{}", created_at=at, updated_at=at)
    db.session.add(instance)
    for i in range(11):
        created = datetime(2026, 3, 2 + i, 9, 0, tzinfo=SHANGHAI)
        due = created + timedelta(hours=30)
        done = created + timedelta(hours=24 if i < 8 else 48)
        db.session.add(HumanTask(  # a return visit's task belongs to the called return_visit process
            id=f"seed-task-{i}", instance_id=instance.id, process_id="return_visit" if i == 0 else "dispute",
            business_key="ZY-2026-000001", bpmn_id="visit" if i == 0 else "department_mediation",
            title="回访" if i == 0 else "部门窗口调解", candidate_department_id=hrss_id if i >= 7 else None,
            candidate_org_unit_id=None if i >= 7 else org.unit("zy-1-1").id, state=TaskState.COMPLETED,
            created_at=created, due_at=due, completed_at=done))
    created = datetime(2026, 3, 20, 9, 0, tzinfo=SHANGHAI)
    db.session.add(HumanTask(id="seed-task-open", instance_id=instance.id, process_id="dispute",
                             business_key="ZY-2026-000001", bpmn_id="department_mediation",
                             title="部门窗口调解", candidate_department_id=hrss_id, state=TaskState.READY,
                             created_at=created, due_at=created + timedelta(days=2)))
    # Rows added by hand carry the case's facts as the services' rows do (reports scope by them).
    taskfacts.restamp(db.session.execute(select(Case).where(Case.code == "ZY-2026-000001")).scalar_one())
    db.session.flush()


@pytest.fixture
def seeded(org):
    """The data set above, in the test database."""
    units = {code: org.unit(code).id for code in {row[0] for row in ROWS}}

    def seed():
        db.session.execute(insert(Case.__table__), _cases(units))
        _tasks(org, org.department("hrss").id)
    run_unit(seed)
    return org
