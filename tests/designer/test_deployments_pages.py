"""Deployments page, version diff, upload and directory deploy, Camunda Modeler files, access."""

import io
import zipfile

import pytest
from sqlalchemy import select

from app.designer.camunda import normalize_bpmn
from app.workflow.models import Deployment
from tests.conftest import FIXTURES
from tests.designer.conftest import real_files, redeploy
from tests.helpers import sign_in

CAMUNDA = FIXTURES / "camunda" / "quick_mediation.bpmn"


@pytest.fixture(autouse=True)
def no_csrf(app):
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.mark.parametrize(("username", "status"), [("designer", 200), ("admin", 200), ("clerk", 403),
                                                  ("supervisor", 403), (None, 302)])
@pytest.mark.parametrize("path", ["/designer/", "/designer/processes/two_step",
                                  "/designer/processes/two_step/migrate"])
def test_only_designers_and_admins(client, deployed, username, status, path):
    if username:
        sign_in(client, username)
    assert client.get(path).status_code == status


def test_deployments_page_lists_versions_and_running_instances(client, desk, clock):
    desk.open()
    files = real_files()
    files.dmn["deadlines.dmn"] = files.dmn["deadlines.dmn"].replace("<text>30</text>", "<text>20</text>", 1)
    redeploy(files, clock, note="人民调解期限改为 20 日")
    sign_in(client, "designer")
    page = client.get("/designer/").get_data(as_text=True)
    assert "纠纷化解" in page or "dispute" in page
    assert "人民调解期限改为 20 日" in page and "版本 1：1 件" in page
    detail = client.get("/designer/processes/dispute").get_data(as_text=True)
    assert 'data-version="2"' in detail and 'data-version="1"' in detail
    dispute = client.get("/designer/processes/dispute?version=1").get_data(as_text=True)
    assert "/designer/deployments/" in dispute
    xml = client.get(f"/designer/deployments/{_version('dispute', 1).id}/dispute.bpmn")
    assert xml.status_code == 200 and b'<bpmn:process id="dispute"' in xml.data


def _version(process_id, version):
    from app.extensions import db  # noqa: PLC0415

    return db.session.scalar(select(Deployment).where(Deployment.process_id == process_id,
                                                      Deployment.version == version))


def test_diff_shows_elements_rules_and_form_properties(client, processes, clock):
    files = real_files()
    name = "four_levels_seven_days.bpmn"
    files.bpmn[name] = files.bpmn[name].replace('rule_due("four_levels.county")',
                                                'rule_due("four_levels.grid")')
    files.dmn["four_levels.dmn"] = files.dmn["four_levels.dmn"].replace('"网格员首调"', '"网格员先行调解"')
    files.forms["mediation_result.json"] = files.forms["mediation_result.json"].replace(
        '"title": "调解结果"', '"title": "调解结果登记"', 1)
    redeploy(files, clock)
    sign_in(client, "designer")
    page = client.get("/designer/processes/four_levels_seven_days/diff?a=1&b=2").get_data(as_text=True)
    assert "county_handling" in page and "属性「办理期限」" in page and "four_levels.grid" in page
    assert "四级七天层级表 · 第 1 行" in page and "网格员先行调解" in page
    assert "mediation_result.json" in page and "调解结果登记" in page


def test_refused_upload_lists_file_element_line_in_chinese(client, processes):
    bad = real_files().bpmn["four_levels_seven_days.bpmn"].replace(
        'rule_due("four_levels.county")', 'rule_due("four_levels.county"')
    sign_in(client, "designer")
    response = client.post("/designer/upload", data={
        "files": (io.BytesIO(bad.encode()), "four_levels_seven_days.bpmn"), "merge": "1"},
        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "未部署任何内容" in page and "four_levels_seven_days.bpmn" in page
    assert "county_handling" in page and "表达式不安全或有误" in page
    assert _version("four_levels_seven_days", 2) is None


def test_camunda_modeler_diagram_deploys_with_our_properties(client, processes):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("diagrams/quick_mediation.bpmn", CAMUNDA.read_bytes())
    sign_in(client, "designer")
    response = client.post("/designer/upload", data={
        "files": (io.BytesIO(archive.getvalue()), "bundle.zip"), "note": "Camunda Modeler"},
        content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    deployment = _version("quick_mediation", 1)
    [bpmn] = [f for f in deployment.files if f.name == "quick_mediation.bpmn"]
    assert 'name="formJsonSchemaFilename" value="mediation_result.json"' in bpmn.content
    assert 'name="dueAt" value="rule_due(&quot;four_levels.grid&quot;)"' in bpmn.content
    assert {f.name for f in deployment.files} >= {"mediation_result.json", "deadlines.dmn"}


def test_normalize_keeps_files_without_camunda_untouched():
    text = real_files().bpmn["dispute.bpmn"]
    assert normalize_bpmn(text) is text


def test_deploy_from_directory(client, org):
    sign_in(client, "admin")
    response = client.post("/designer/deploy-directory", data={"note": "首次部署"})
    assert response.status_code == 302
    assert _version("dispute", 1).note == "首次部署"
    client.post("/designer/deploy-directory", data={})
    assert "未产生新版本" in client.get("/designer/").get_data(as_text=True)
