"""New processes from a blank canvas or the mediation ladder: they pass the deploy checks,
deploy as version 1, and a ladder case climbs the levels with each level's deadline."""

from types import SimpleNamespace

import pytest

from app.designer import drafts
from app.designer.starters import blank, ladder
from app.errors import Conflict, ValidationFailed
from app.unit_of_work import run_unit
from app.workflow import services
from app.workflow.checks import check_files
from tests.designer.conftest import LANES, real_files
from tests.processes.conftest import GRID, end_of, local

FAILED = {"result": "failed", "summary": "本级未能化解"}


@pytest.mark.parametrize("levels", [1, 2, 3, 4])
def test_every_ladder_passes_the_checks(levels):
    files = real_files()
    assert check_files({**files.bpmn, "x.bpmn": ladder("new_ladder", "新流程", levels)}, files.dmn,
                       files.forms, LANES) == []


def test_a_blank_canvas_passes_the_checks():
    files = real_files()
    assert check_files({**files.bpmn, "x.bpmn": blank("new_blank", "空白")}, files.dmn, files.forms,
                       LANES) == []


def test_a_bad_or_taken_code_is_refused(desk, org, clock):
    actor = org.actor("designer")
    with pytest.raises(ValidationFailed) as raised:
        drafts.create_new_process("Bad-Id", "", starter="blank", levels=1, actor=actor, now=clock.now())
    assert set(raised.value.errors) == {"process_id", "name"}
    with pytest.raises(Conflict, match="已被使用"):
        drafts.create_new_process("dispute", "纠纷", starter="blank", levels=1, actor=actor, now=clock.now())


def test_a_two_level_ladder_deploys_and_runs_with_each_levels_deadline(desk, org, clock):
    actor = org.actor("designer")
    draft = run_unit(lambda: drafts.create_new_process("neighbour_ladder", "邻里纠纷两级调解",
                                                       starter="ladder", levels=2, actor=actor,
                                                       now=clock.now()))
    assert drafts.process_name(draft) == "邻里纠纷两级调解"
    assert drafts.check_draft(draft.id) == []
    [(deployment, new)] = [(d, n) for d, n in run_unit(lambda: drafts.deploy_draft(
        draft.id, actor=actor, now=clock.now(), note="新建")) if d.process_id == "neighbour_ladder"]
    assert (deployment.version, new) == (1, True)

    clock.set(local(2026, 3, 2, 9, 0))
    instance = run_unit(lambda: services.start_instance(
        "neighbour_ladder", business_key="ZY-2026-009001", org_unit_id=org.unit(GRID).id, data={},
        clock=clock))
    case = SimpleNamespace(code=instance.business_key)  # the desk finds tasks by business key
    [grid] = desk.tasks(case)
    assert (grid.title, grid.lane, grid.due_at) == ("网格员调解", "网格员", end_of(2026, 3, 3))
    desk.do(grid, "grid", FAILED)
    [village] = desk.tasks(case)
    assert (village.title, village.lane) == ("村（社区）调委会调解", "村调委会")
    assert village.due_at == end_of(2026, 3, 4)
