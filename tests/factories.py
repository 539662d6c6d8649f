"""factory_boy factories: build only the rows a test needs instead of seeding the demo city.

Each factory writes through the app's `db.session` and flushes, so the rows have ids at once;
the test's `app` fixture supplies the clean database. Units keep their materialised `path`
right (the parent must exist first, as in `app/org/demo.py`).

    county = OrgUnitFactory(level=OrgLevel.COUNTY)
    township = OrgUnitFactory(parent=county, level=OrgLevel.TOWNSHIP)
    court = DepartmentFactory(code="court", org_unit=county)
    judge = UserFactory(memberships=[{"department": court, "role": Role.HANDLER}])
"""

import uuid
from datetime import UTC, datetime

import factory
from factory.alchemy import SQLAlchemyModelFactory

from app.cases.models import Case, CaseStatus, Party, RiskTier
from app.extensions import db
from app.org.models import (
    Department,
    LaneRule,
    Membership,
    OrgLevel,
    OrgUnit,
    StationingMode,
    StationingPeriod,
    User,
)
from app.workflow.models import Deployment, HumanTask, InstanceStatus, ProcessInstance, TaskState

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


class _Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731 - the app's scoped session
        sqlalchemy_session_persistence = "flush"


class OrgUnitFactory(_Base):
    """A unit of the tree; its `path` follows its parent's."""

    class Meta:
        model = OrgUnit

    code = factory.Sequence(lambda n: f"u{n}")
    name = factory.Sequence(lambda n: f"单位{n}")
    level = OrgLevel.COUNTY
    parent = None

    @factory.post_generation
    def _path(self, create, _extracted, **_kwargs):  # noqa: ARG002 - factory_boy's signature
        self.path = f"{self.parent.path if self.parent else '/'}{self.id}/"
        db.session.flush()


class DepartmentFactory(_Base):
    class Meta:
        model = Department

    code = "court"
    name = factory.Sequence(lambda n: f"部门{n}")
    stationing = StationingMode.PERMANENT
    org_unit = factory.SubFactory(OrgUnitFactory)


class StationingPeriodFactory(_Base):
    class Meta:
        model = StationingPeriod

    department_id = factory.LazyAttribute(lambda o: o.department.id)
    starts_on = NOW.date()
    ends_on = None

    class Params:
        department = None  # the Department the period belongs to (required)


class UserFactory(_Base):
    """A user; `memberships=[{"department": d, "role": r}, {"org_unit": u, "role": r}]`."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    password_hash = "!"  # cannot sign in; tests that sign in set a password
    active = True
    created_at = NOW

    @factory.post_generation
    def memberships(self, create, extracted, **_kwargs):  # noqa: ARG002 - factory_boy's signature
        for spec in extracted or []:
            db.session.add(Membership(user=self, role=spec["role"],
                                      department_id=getattr(spec.get("department"), "id", None),
                                      org_unit_id=getattr(spec.get("org_unit"), "id", None)))
        db.session.flush()


class LaneRuleFactory(_Base):
    class Meta:
        model = LaneRule

    lane = factory.Sequence(lambda n: f"lane{n}")
    org_level = None
    department_code = None
    role = None


class CaseFactory(_Base):
    class Meta:
        model = Case

    code = factory.Sequence(lambda n: f"ZY2026{n:06d}")
    title = "邻里纠纷"
    narrative = "楼上漏水，协商未果。"
    channel = "walk_in"
    category = "neighbour"
    risk_tier = RiskTier.BLUE
    people_count = 2
    org_unit_id = factory.LazyAttribute(lambda o: o.org_unit.id)
    received_at = NOW
    received_by_id = None
    status = CaseStatus.IN_PROGRESS
    updated_at = NOW

    class Params:
        org_unit = factory.SubFactory(OrgUnitFactory)  # the case's location (Case keeps only the id)


class PartyFactory(_Base):
    class Meta:
        model = Party

    case = factory.SubFactory(CaseFactory)
    name = "张三"
    role = "applicant"
    id_number = "620702199001011234"
    phone = "13912345678"


class DeploymentFactory(_Base):
    class Meta:
        model = Deployment

    process_id = "dispute"
    version = 1
    content_hash = factory.Sequence(lambda n: f"{n:064d}")
    created_at = NOW


class ProcessInstanceFactory(_Base):
    class Meta:
        model = ProcessInstance

    id = factory.LazyFunction(lambda: str(uuid.uuid4()))
    deployment = factory.SubFactory(DeploymentFactory)
    process_id = factory.LazyAttribute(lambda o: o.deployment.process_id)
    business_key = "ZY2026000000"
    status = InstanceStatus.RUNNING
    state = "{}"
    created_at = NOW
    updated_at = NOW


class HumanTaskFactory(_Base):
    """A task row; offer it with `candidate_department_id` or `candidate_org_unit_id`+`candidate_role`."""

    class Meta:
        model = HumanTask

    id = factory.LazyFunction(lambda: str(uuid.uuid4()))
    instance = factory.SubFactory(ProcessInstanceFactory,
                                  business_key=factory.SelfAttribute("..business_key"))
    process_id = "dispute"
    business_key = "ZY2026000000"
    bpmn_id = "mediate"
    title = "调解"
    state = TaskState.READY
    created_at = NOW
