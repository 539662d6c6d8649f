"""Bad input on the public pages: forged, replayed and expired SMS codes, wrong phone digits.

Each is refused with a clear message, writes nothing but the audit event, and is audited."""

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.cases.models import Case
from app.extensions import db
from app.notify.models import Notification
from app.public.models import SatisfactionRating, SmsChallenge
from tests.public.conftest import last_code, token_of


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def refused(action: str) -> list[dict]:
    """Summaries of the `public.refused` events of one action, oldest first."""
    db.session.expire_all()
    return [e.summary for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "public.refused").order_by(AuditEvent.id)) if e.summary["action"] == action]


def _message(response) -> str:
    import re  # noqa: PLC0415

    return re.search(r'role="alert">([^<]+)<', response.get_data(as_text=True)).group(1)


def test_replayed_forged_and_other_phone_codes_are_audited_and_write_nothing(citizen):
    token = token_of(citizen.ask_code().get_data(as_text=True))
    code = last_code()
    assert citizen.submit(token, code).status_code == 201
    accepted = count(Notification, Notification.kind == "case_accepted")
    replay = citizen.submit(token, code)
    forged = citizen.submit("f" * 43, code)
    other_phone = citizen.submit(token, code, phone="13800001111")
    assert [r.status_code for r in (replay, forged, other_phone)] == [400, 400, 400]
    assert [_message(r) for r in (replay, forged, other_phone)] == [
        "验证码已使用，请重新获取", "验证码无效，请重新获取", "验证码无效，请重新获取"]
    assert count(Case) == 1 and count(Notification, Notification.kind == "case_accepted") == accepted
    assert db.session.scalar(select(SmsChallenge.attempts)) == 0  # no token's guesses were counted
    events = refused("submit")
    assert [(e["reason"], e["message"], e["fields"]) for e in events] == [
        ("bad_sms_code", "验证码已使用，请重新获取", ["sms_code"]),
        ("bad_sms_code", "验证码无效，请重新获取", ["sms_code"]),
        ("bad_sms_code", "验证码无效，请重新获取", ["sms_code"])]
    assert [e["phone"] for e in events] == ["139****5678", "139****5678", "138****1111"]


def test_an_expired_code_is_refused_audited_and_stays_unused(citizen, clock):
    token = token_of(citizen.ask_code().get_data(as_text=True))
    code = last_code()
    clock.advance(minutes=11)  # codes live ten minutes
    response = citizen.submit(token, code)
    assert response.status_code == 400 and _message(response) == "验证码已失效，请重新获取"
    assert count(Case) == 0 and db.session.scalar(select(SmsChallenge.used_at)) is None
    assert [e["reason"] for e in refused("submit")] == ["bad_sms_code"]


def test_rating_with_wrong_digits_answers_like_a_missing_code_and_rates_nothing(citizen):
    code = citizen.submitted()
    wrong = citizen.rate(code, "0000", "dissatisfied", "乱评")
    missing = citizen.rate("ZY-2026-999999", "5678", "dissatisfied", "乱评")
    assert wrong.status_code == missing.status_code == 404
    assert _message(wrong) == _message(missing) == "未查询到案件，请核对案件编码和手机号后四位"
    assert count(SatisfactionRating) == 0
    assert [e["reason"] for e in refused("rate")] == ["not_tracked", "not_tracked"]
    assert [e["case"] for e in refused("rate")] == [code, "ZY-2026-999999"]


def test_tracking_with_malformed_digits_is_a_field_error_not_a_lookup(citizen):
    code = citizen.submitted()
    response = citizen.track(code, "56a8")
    assert response.status_code == 422 and "last4" not in _message(response)
    assert [e["fields"] for e in refused("track")] == [["last4"]]
