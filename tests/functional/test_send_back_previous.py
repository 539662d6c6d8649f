"""退回上一步 over HTTP: the village committee sends level 2 back to the grid worker, who sees
the reason on the reopened task page; a send-back without a reason is refused at its field."""


from app.extensions import db
from app.workflow.models import HumanTask, TaskState
from tests.functional.test_case_file import visible_text
from tests.helpers import sign_in
from tests.processes.conftest import Desk  # noqa: F401 - fixtures

FAILED = {"result": "failed", "summary": "双方分歧较大，本级无法化解"}
REASON = "当事人联系电话有误，请网格员重新核实"



def test_the_previous_handler_sees_why_the_case_came_back(client, no_csrf, processes, org, clock):  # noqa: F811
    desk = Desk(org, clock)
    case = desk.open()
    grid = desk.task(case, "level_mediation")
    sign_in(client, "grid")
    client.post(f"/tasks/{grid.id}/claim")
    first = visible_text(client.get(f"/tasks/{grid.id}").data.decode())
    assert "退回上一步理由" not in first  # no step before the first
    desk.do(grid, "grid", FAILED)
    village = desk.task(case, "level_mediation")
    sign_in(client, "village")
    client.post(f"/tasks/{village.id}/claim")
    assert "退回上一步理由" in visible_text(client.get(f"/tasks/{village.id}").data.decode())

    refused = client.post(f"/tasks/{village.id}/return-previous", data={"reason": ""})
    assert refused.status_code == 422
    assert "请填写理由（至少 4 个字）" in visible_text(refused.data.decode())
    db.session.expire_all()
    assert db.session.get(HumanTask, village.id).state == TaskState.READY

    done = client.post(f"/tasks/{village.id}/return-previous", data={"reason": REASON})
    assert done.status_code == 302
    sign_in(client, "grid")
    page = visible_text(client.get(f"/tasks/{grid.id}").data.decode())
    assert "退回上一步" in page and REASON in page and "认领" in page
    assert "level_mediation" not in page
    file = visible_text(client.get(f"/cases/{case.code}").data.decode())
    assert REASON in file
