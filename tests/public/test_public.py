"""Citizen self-service through the Flask client: submit with an SMS code, track, rate, abuse guards."""

from datetime import date

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.cases.models import Case
from app.extensions import db
from app.notify.models import Notification
from app.public.models import Rating, SatisfactionRating, SmsChallenge
from app.reports.indicators import satisfaction_counts
from app.reports.periods import period_containing
from app.workflow.models import HumanTask, TaskState
from tests.processes.conftest import local, resolved
from tests.public.conftest import PHONE, last_code, token_of


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def refusals(reason: str) -> list[dict]:
    db.session.expire_all()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "public.refused"))
    return [e.summary for e in events if e.summary["reason"] == reason]


def test_a_citizen_submits_with_an_sms_code_and_gets_a_receipt(citizen, clock):
    page = citizen.ask_code()
    assert page.status_code == 200 and "验证码已发送" in page.get_data(as_text=True)
    code = citizen.submitted()
    case = db.session.scalar(select(Case).where(Case.code == code))
    assert (case.channel, case.risk_tier.value, case.status.value) == ("self_service", "blue", "in_progress")
    assert [(p.name, p.role, p.phone) for p in case.parties] == [
        ("张三", "applicant", PHONE), ("李四", "respondent", None)]
    [notice] = db.session.scalars(select(Notification).where(Notification.kind == "case_accepted")).all()
    assert code in notice.text and notice.recipient == PHONE


def test_a_wrong_code_is_refused_counted_and_audited_and_writes_no_case(citizen):
    token = token_of(citizen.ask_code().get_data(as_text=True))
    right = last_code()
    wrong = "000000" if right != "000000" else "111111"
    response = citizen.submit(token, wrong)
    assert response.status_code == 400 and "验证码不正确" in response.get_data(as_text=True)
    assert count(Case) == 0
    assert db.session.scalar(select(SmsChallenge.attempts)) == 1
    assert refusals("bad_sms_code")[0]["phone"] == "139****5678"
    for _ in range(4):
        citizen.submit(token, wrong)
    response = citizen.submit(token, right)  # five wrong guesses kill the challenge
    assert response.status_code == 400 and "验证码已失效" in response.get_data(as_text=True)
    assert count(Case) == 0


def test_a_replayed_or_forged_token_is_refused(citizen):
    token = token_of(citizen.ask_code().get_data(as_text=True))
    code = last_code()
    assert citizen.submit(token, code).status_code == 201
    again = citizen.submit(token, code)
    assert again.status_code == 400 and "验证码已使用" in again.get_data(as_text=True)
    forged = citizen.submit("forged-token", code)
    assert forged.status_code == 400 and "验证码无效" in forged.get_data(as_text=True)
    other_phone = citizen.submit(token, code, phone="13800001111")
    assert other_phone.status_code == 400
    assert count(Case) == 1


def test_invalid_fields_show_next_to_the_form_and_nothing_is_written(citizen):
    token = token_of(citizen.ask_code().get_data(as_text=True))
    response = citizen.submit(token, last_code(), title="短", grid_code="zy-1")
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "请填写 4–100 个字" in body
    assert count(Case) == 0 and db.session.scalar(select(SmsChallenge.used_at)) is None
    assert citizen.ask_code(phone="123").status_code == 422


def test_tracking_shows_masked_progress_and_answers_wrong_digits_like_a_missing_code(citizen, clock):
    code = citizen.submitted()
    page = citizen.track(code, "5678")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "办理中" in body and "正在办理：<strong>中心当场调解" in body
    assert "张*" in body and "李*" in body and "张三" not in body and "李四" not in body
    assert "装修到十一点" not in body and PHONE not in body  # no narrative, no contacts
    wrong = citizen.track(code, "1234")
    missing = citizen.track("ZY-2026-999999", "5678")
    assert wrong.status_code == missing.status_code == 404
    assert _alert(wrong) == _alert(missing) == "未查询到案件，请核对案件编码和手机号后四位"
    assert len(refusals("not_tracked")) == 2


def _alert(response) -> str:
    import re  # noqa: PLC0415

    return re.search(r'role="alert">([^<]+)<', response.get_data(as_text=True)).group(1)


def close(desk, *codes: str) -> None:
    """Mediate the cases on the spot, let the return visit fall due, visit: 销号."""
    for code in codes:
        [task] = desk.tasks(desk.case(code))
        desk.do(task, "mediator", resolved())
    desk.at(local(2026, 3, 12, 9, 0))
    for code in codes:
        [visit] = desk.tasks(desk.case(code))
        desk.do(visit, "mediator", {"state_of_mind": "情绪平稳", "abnormal_behaviour": False,
                                    "mediation_opinion": "satisfied", "performance": "performed",
                                    "new_signs": False})
        assert desk.case(code).closed_at is not None


def test_rating_after_close_feeds_the_rate_and_dissatisfied_opens_a_review(citizen, desk, clock):
    first, second = citizen.submitted(), citizen.submitted(title="楼道堆放杂物纠纷")
    early = citizen.rate(first, "5678", "satisfied")
    assert early.status_code == 409 and "案件办结后才能评价" in early.get_data(as_text=True)
    close(desk, first, second)
    closed = db.session.scalars(select(Notification).where(Notification.kind == "case_closed")).all()
    assert sorted(n.text.split("凭案件编码 ")[1][:14] for n in closed) == [first, second]
    assert {n.recipient for n in closed} == {PHONE}
    assert citizen.rate(first, "5678", "basically_satisfied", "调解员很耐心").status_code == 200
    response = citizen.rate(second, "5678", "dissatisfied", "对方没有履行协议")
    assert response.status_code == 200 and "不满意" in response.get_data(as_text=True)
    again = citizen.rate(second, "5678", "satisfied")
    assert again.status_code == 409 and "已评价" in again.get_data(as_text=True)
    assert citizen.rate(first, "0000", "satisfied").status_code == 404
    review = db.session.scalar(select(HumanTask).where(HumanTask.bpmn_id == "dissatisfied_review"))
    assert (review.business_key, review.state, review.lane) == (second, TaskState.READY, "综治中心调度")
    assert count(SatisfactionRating) == 2
    # 满意率 (app/reports): both return visits said 满意, the citizens 基本满意 and 不满意
    march = satisfaction_counts(None, period_containing("monthly", date(2026, 3, 1)))
    assert march == {"rated": 4, "satisfied": 3}
    assert db.session.scalar(select(SatisfactionRating.rating).where(
        SatisfactionRating.comment == "调解员很耐心")) == Rating.BASICALLY_SATISFIED


def test_rate_limits_per_phone_and_per_address_are_refused_and_audited(citizen):
    for _ in range(3):
        assert citizen.ask_code().status_code == 200
    limited = citizen.ask_code()
    assert limited.status_code == 429 and "操作过于频繁" in limited.get_data(as_text=True)
    assert count(SmsChallenge) == 3
    for n in range(7):  # other phones from the same address: 10 per hour in all
        assert citizen.ask_code(phone=f"1370000000{n}").status_code == 200
    assert citizen.ask_code(phone="13600000000").status_code == 429
    assert citizen.ask_code(phone="13600000000", address="10.9.9.9").status_code == 200
    assert len(refusals("rate_limited")) == 2
    for _ in range(10):
        citizen.track("ZY-2026-000001", "0000", address="10.0.0.5")
    assert citizen.track("ZY-2026-000001", "5678", address="10.0.0.6").status_code == 429  # per case


def test_the_limit_is_shared_by_every_worker_process(app, citizen, clock):
    """A second app on the same database (another gunicorn worker) sees the first one's attempts."""
    from app import create_app  # noqa: PLC0415

    other = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "TESTING": True,
                        "WTF_CSRF_ENABLED": False}, clock=clock)
    for _ in range(2):
        assert citizen.ask_code().status_code == 200
    with other.test_client() as elsewhere:
        assert elsewhere.post("/public/submit/code", data={"phone": PHONE},
                              environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 200
        assert elsewhere.post("/public/submit/code", data={"phone": PHONE},
                              environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 429
    assert citizen.ask_code().status_code == 429
    with other.app_context():
        db.session.remove()
        db.engine.dispose()  # its pooled connections must not outlive the test (PostgreSQL)


def test_the_worker_forgets_attempts_older_than_two_days(citizen, clock):
    from app.public import HOUSEKEEPING_JOB  # noqa: PLC0415
    from app.public.models import RateBucket  # noqa: PLC0415
    from app.unit_of_work import run_unit  # noqa: PLC0415
    from app.workflow.worker import _JOBS  # noqa: PLC0415

    citizen.ask_code()
    assert count(RateBucket) == 2  # phone and address
    run_unit(lambda: _JOBS[HOUSEKEEPING_JOB].run(clock))
    assert count(RateBucket) == 2
    clock.advance(days=3)
    run_unit(lambda: _JOBS[HOUSEKEEPING_JOB].run(clock))
    assert count(RateBucket) == 0
