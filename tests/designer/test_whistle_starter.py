"""The 吹哨 template: created through the designer's HTTP endpoints, checked, deployed as
version 1, then run to the end — the center names two departments, each reports in and gives
an opinion (one multi-instance child each), and joint mediation closes the instance."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.designer.models import ProcessDraft
from app.designer.starters import whistle
from app.extensions import db
from app.unit_of_work import run_unit
from app.workflow import services
from app.workflow.checks import check_files
from app.workflow.models import InstanceStatus, ProcessInstance
from tests.designer.conftest import LANES, real_files
from tests.helpers import sign_in
from tests.processes.conftest import (
    GRID,
    end_of,
    local,
    resolved,
)

REPORT = {"reporter": "周人社", "reporter_phone": "13900001111"}


@pytest.fixture(autouse=True)
def no_csrf(app):
    app.config["WTF_CSRF_ENABLED"] = False


def test_the_whistle_template_passes_the_deploy_checks():
    files = real_files()
    assert check_files({**files.bpmn, "x.bpmn": whistle("new_whistle", "新吹哨")}, files.dmn,
                       files.forms, LANES) == []


@pytest.mark.usefixtures("handlers")
def test_a_whistle_from_the_template_deploys_and_runs_to_the_end(client, desk, org, clock):
    sign_in(client, "designer")
    page = client.get("/designer/").get_data(as_text=True)
    assert '<option value="whistle">吹哨模板' in page
    created = client.post("/designer/new-process", data={
        "name": "征地纠纷吹哨", "process_id": "land_whistle", "starter": "whistle", "levels": "4"})
    assert created.status_code == 302
    draft = db.session.scalar(select(ProcessDraft).where(ProcessDraft.process_id == "land_whistle"))
    assert created.headers["Location"].endswith(f"/designer/drafts/{draft.id}")
    assert 'calledElement="whistle_report"' in draft.files["land_whistle.bpmn"]

    checked = client.post(f"/designer/drafts/{draft.id}/check").get_json()
    assert checked["ok"] is True and checked["problems"] == []
    deployed = client.post(f"/designer/drafts/{draft.id}/deploy", json={"note": "吹哨模板"}).get_json()
    assert {"process_id": "land_whistle", "version": 1, "new": True} in deployed["deployed"]

    clock.set(local(2026, 3, 6, 15, 0))  # Friday afternoon
    instance = run_unit(lambda: services.start_instance(
        "land_whistle", business_key="ZY-2026-009101", org_unit_id=org.unit(GRID).id, data={},
        clock=clock))
    case = SimpleNamespace(code=instance.business_key)
    [call] = desk.tasks(case)
    assert (call.bpmn_id, call.title, call.lane) == ("whistle_call", "吹哨：指定报到部门", "综治中心调度")
    desk.do(call, "coordinator", {"departments": ["hrss", "housing"],
                                  "whistle_note": "请人社、住建到中心报到"})

    reports = desk.tasks(case)
    assert sorted((t.bpmn_id, t.candidate_department_id) for t in reports) == sorted([
        ("report_in", org.department("hrss").id), ("report_in", org.department("housing").id)])
    assert {t.due_at for t in reports} == {end_of(2026, 3, 9)}  # one working day, over the weekend
    for username, code in (("hrss", "hrss"), ("housing", "housing")):
        [report] = [t for t in desk.tasks(case) if t.bpmn_id == "report_in"
                    and t.candidate_department_id == org.department(code).id]
        desk.do(report, username, REPORT)
        [opinion] = [t for t in desk.tasks(case) if t.bpmn_id == "opinion_task"
                     and t.candidate_department_id == org.department(code).id]
        desk.do(opinion, username, {"opinion": f"{username}的处置意见"})

    [joint] = desk.tasks(case)
    assert (joint.bpmn_id, joint.title, joint.lane) == ("joint_mediation", "联合调解", "县综治中心")
    assert sorted(services.instance_data(instance.id)["opinions"]) == ["housing的处置意见", "hrss的处置意见"]
    desk.do(joint, "coordinator", resolved("联合调解达成补偿协议"))

    assert desk.tasks(case) == []
    status = db.session.scalar(select(ProcessInstance.status).where(ProcessInstance.id == instance.id))
    assert status == InstanceStatus.COMPLETED
