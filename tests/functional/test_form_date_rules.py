"""The mediation agreement's date rules (x-not-before, x-not-future) through the task page:
refused with 422 and every error of the submit shown next to its field at once; nothing saved."""


from app.extensions import db
from app.workflow.models import HumanTask, TaskState
from tests.functional.test_case_file import visible_text
from tests.helpers import sign_in
from tests.processes.conftest import Desk  # noqa: F401 - fixtures


def agreement_post(deadline: str, signed: str, summary: str = "双方达成一致意见") -> dict:
    return {"result": "resolved", "summary": summary,
            "agreement.parties.0.name": "张三", "agreement.parties.1.name": "李四",
            "agreement.facts": "两户院落排水互相影响", "agreement.responsibility": "各负一半",
            "agreement.terms": "共同出资改建排水沟", "agreement.performance_method": "现场施工",
            "agreement.performance_deadline": deadline, "agreement.agreement_signed_on": signed}


def test_dates_out_of_order_are_refused_with_every_error_at_once(client, no_csrf, processes, org, clock):  # noqa: F811
    desk = Desk(org, clock)  # the clock reads Monday 2 March 2026 in Shanghai
    task = desk.task(desk.open(), "level_mediation")
    sign_in(client, "grid")
    client.post(f"/tasks/{task.id}/claim")
    page = client.get(f"/tasks/{task.id}").data.decode()
    assert 'data-today="2026-03-02"' in page
    assert 'data-not-before="agreement.agreement_signed_on"' in page

    response = client.post(f"/tasks/{task.id}/complete",
                           data=agreement_post("2026-03-01", "2026-03-05", summary="短"))
    assert response.status_code == 422
    body = response.data.decode()
    text = visible_text(body)
    assert "「履行期限」不能早于「协议签订日期」" in text
    assert "「协议签订日期」不能晚于今天" in text
    assert "「调解情况」至少需要 5 个字" in text
    assert 'id="f-agreement-performance_deadline-error"' in body  # next to its own field
    assert 'id="f-agreement-agreement_signed_on-error"' in body
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).state == TaskState.READY

    ok = client.post(f"/tasks/{task.id}/complete", data=agreement_post("2026-03-02", "2026-03-02"))
    assert ok.status_code == 302
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).state == TaskState.COMPLETED
