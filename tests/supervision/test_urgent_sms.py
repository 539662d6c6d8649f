"""Urgent-task SMS to handlers: sent when the deadline sweep warns, chases or opens a 督办,
once per task, stage and handler, never to a user without a phone; through the real HTTP
gateway as well as the null notifier."""

import pytest
from sqlalchemy import select

from app.admin.access import admin_scope
from app.admin.users import set_phone
from app.audit.models import AuditEvent
from app.channels import OUTBOX_JOB
from app.errors import ValidationFailed
from app.extensions import db
from app.notify import DEV_SMS_SECRET
from app.notify.models import Notification
from app.notify.services import SmsGatewayNotifier
from app.org.models import User
from app.org.services import load_actor
from app.unit_of_work import run_unit
from app.workflow.assignment import candidates
from app.workflow.worker import _JOBS
from tests.channels.conftest import FakePlatform
from tests.processes.conftest import local

PHONE = "13912345678"


def urgent() -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(select(Notification).where(Notification.kind == "urgent_task")
                                   .order_by(Notification.id)))


def give_phone(user: User, phone: str, clock) -> None:
    """The demo city administrator sets the phone through the admin service."""
    def work():
        admin = load_actor(db.session.scalar(select(User.id).where(User.username == "admin")))
        set_phone(admin_scope(admin), user.id, phone, actor=admin, now=clock.now())
    run_unit(work)


@pytest.fixture
def task(desk, clock):
    clock.set(local(2026, 4, 2, 9, 0))
    case = desk.open(category="consumer", amount=800, title="网购家电退货纠纷")
    [task] = desk.tasks(case)
    return task


def test_handlers_with_a_phone_get_one_sms_per_stage(task, clock, sweep):
    people = candidates(task)
    assert len(people) >= 1
    give_phone(people[0], PHONE, clock)
    assert sweep(local(2026, 4, 3, 10, 0)).warnings == 0 and urgent() == []
    assert sweep(local(2026, 4, 3, 11, 0)).warnings == 1
    [sms] = urgent()
    assert sms.recipient == PHONE and task.business_key in sms.text and "即将到期" in sms.text
    sweep(local(2026, 4, 3, 12, 0))
    assert len(urgent()) == 1  # the sweep again: no second SMS
    assert len(urgent()) == 1 and all(n.recipient == PHONE for n in urgent())  # others: no phone
    sweep(local(2026, 4, 7, 0, 0, 1))  # chased: one more, the chase text
    assert [n.text.count("已超期") for n in urgent()] == [0, 1]


def test_no_sms_without_a_phone(task, clock, sweep):
    assert all(u.phone is None for u in candidates(task))
    assert sweep(local(2026, 4, 3, 11, 0)).warnings == 1
    assert urgent() == []


def test_phone_is_validated_masked_and_audited(task, clock):
    user = candidates(task)[0]
    with pytest.raises(ValidationFailed) as failed:
        give_phone(user, "1391234567", clock)
    assert list(failed.value.errors) == ["phone"]
    with pytest.raises(ValidationFailed):
        give_phone(user, "23912345678", clock)
    assert db.session.get(User, user.id).phone is None
    give_phone(user, "+86 139-1234-5678", clock)
    db.session.expire_all()
    assert db.session.get(User, user.id).phone == PHONE
    assert db.session.get(User, user.id).masked_phone == "139****5678"
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.phone_changed"))
    assert event.summary["before"]["phone"] is None
    assert event.summary["after"]["phone"] == "139****5678"  # the audit log shows it masked


def test_urgent_sms_through_the_http_gateway(app, task, clock, sweep):
    fake = FakePlatform(DEV_SMS_SECRET)
    fake.thread.start()
    app.extensions["onedoor.notifier"] = SmsGatewayNotifier(fake.url)
    try:
        give_phone(candidates(task)[0], PHONE, clock)
        sweep(local(2026, 4, 3, 11, 0))
        run_unit(lambda: _JOBS[OUTBOX_JOB].run(clock))
        [sent] = fake.received
        assert sent["to"] == PHONE and task.business_key in sent["text"]
        assert sent["idempotency_key"].startswith("sms:urgent_task:warning:")
    finally:
        fake.server.shutdown()
        fake.thread.join(timeout=5)
