"""The flask CLI: processes check/deploy, seed-demo, worker."""

import shutil
from datetime import datetime

from sqlalchemy import func, select

from app.extensions import db
from app.org.models import LaneRule, OrgUnit, User
from app.workflow.models import Deployment, HumanTask, TaskState
from tests.conftest import FIXTURES, SHANGHAI


def _point_at(app, tmp_path):
    processes, forms = tmp_path / "processes", tmp_path / "forms"
    shutil.copytree(FIXTURES / "processes", processes)
    shutil.copytree(FIXTURES / "forms", forms)
    app.config.update(PROCESSES_DIR=str(processes), FORMS_DIR=str(forms))
    return processes, forms


def test_check_passes_on_good_files(app, runner, tmp_path):
    _point_at(app, tmp_path)
    result = runner.invoke(args=["processes", "check", "--no-db"])
    assert result.exit_code == 0, result.output
    assert "检查通过" in result.output


def test_check_on_broken_bpmn_prints_file_element_and_line(app, runner, tmp_path):
    processes, _ = _point_at(app, tmp_path)
    path = processes / "foundation.bpmn"
    path.write_text(path.read_text(encoding="utf-8").replace(
        'targetRef="review" />', 'targetRef="no_such_task" />'), encoding="utf-8")
    result = runner.invoke(args=["processes", "check", "--no-db"])
    assert result.exit_code == 1
    line = next(x for x in result.output.splitlines() if x.startswith("foundation.bpmn:"))
    file_line, element = line.split(" ")[0], line.split(" ")[1]
    assert int(file_line.split(":")[1]) > 0
    assert element.startswith("[") and element.endswith("]")
    assert "检查未通过" in result.output


def test_check_with_db_reports_unknown_lanes(app, runner, tmp_path, org):
    _point_at(app, tmp_path)
    db.session.execute(LaneRule.__table__.delete().where(LaneRule.lane == "综治中心调度"))
    db.session.commit()
    result = runner.invoke(args=["processes", "check"])
    assert result.exit_code == 1
    assert "泳道「综治中心调度」没有对应的分派规则" in result.output


def test_deploy_creates_versions_only_when_content_changes(app, runner, tmp_path, org):
    processes, _ = _point_at(app, tmp_path)
    first = runner.invoke(args=["processes", "deploy"])
    assert first.exit_code == 0, first.output
    assert "two_step: 版本 1（新部署）" in first.output
    again = runner.invoke(args=["processes", "deploy"])
    assert "two_step: 版本 1（未变化）" in again.output
    path = processes / "foundation.bpmn"
    path.write_text(path.read_text(encoding="utf-8").replace("中心复核", "中心复核二"),
                    encoding="utf-8")
    third = runner.invoke(args=["processes", "deploy"])
    assert "two_step: 版本 2（新部署）" in third.output
    assert db.session.scalar(select(func.count()).select_from(Deployment)) == 6


def test_deploy_refuses_a_broken_bundle_whole(app, runner, tmp_path, org):
    processes, _ = _point_at(app, tmp_path)
    (processes / "evil.bpmn").write_text(
        (processes / "foundation.bpmn").read_text(encoding="utf-8")
        .replace('id="two_step"', 'id="two_step_copy"').replace('id="await_court"', 'id="ac2"')
        .replace('id="parallel_opinions"', 'id="po2"')
        .replace('value="add_working_days(now(), 2)"', 'value="__import__(\'os\')"'),
        encoding="utf-8")
    result = runner.invoke(args=["processes", "deploy"])
    assert result.exit_code == 1
    assert "[review]" in result.output and "部署被拒绝" in result.output
    assert db.session.scalar(select(func.count()).select_from(Deployment)) == 0


def test_seed_demo_is_idempotent(app, runner):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0 and "演示用户密码" in first.output
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 10
    assert db.session.scalar(select(func.count()).select_from(OrgUnit)) == 91
    counties = db.session.scalars(select(OrgUnit.name).where(OrgUnit.level == "county")).all()
    assert sorted(counties) == sorted(["甘州区", "临泽县", "高台县", "山丹县", "民乐县", "肃南裕固族自治县"])


def test_worker_once_fires_due_timers(app, runner, deployed, org, clock):
    from app.unit_of_work import run_unit  # noqa: PLC0415
    from app.workflow import services  # noqa: PLC0415

    instance = run_unit(lambda: services.start_instance(
        "two_step", business_key="ZY-W-1", org_unit_id=org.unit("zy-1-1-1-1").id, data={},
        clock=clock))
    idle = runner.invoke(args=["worker", "--once"])
    assert "fired=0" in idle.output
    clock.set(datetime(2026, 3, 4, 8, 0, tzinfo=SHANGHAI))
    busy = runner.invoke(args=["worker", "--once"])
    assert "fired=1" in busy.output, busy.output
    db.session.expire_all()
    titles = db.session.scalars(select(HumanTask.bpmn_id).where(
        HumanTask.instance_id == instance.id, HumanTask.state == TaskState.READY)).all()
    assert titles == ["escalated"]
