"""A draft's dry run on 20 closed cases: the grid worker's deadline 1 → 3 working days shows
as a changed due date on every case, with the route unchanged; an unchanged draft changes none."""

from app.designer import drafts
from app.designer.dry_run import dry_run
from app.unit_of_work import run_unit
from app.workflow.models import InstanceStatus
from tests.helpers import sign_in
from tests.processes.conftest import end_of, local, resolved

VISIT = {"state_of_mind": "情绪平稳", "abnormal_behaviour": False, "mediation_opinion": "basically_satisfied",
         "performance": "performing", "new_signs": False}
GRID_AMOUNT = '<outputEntry id="deadlines_r0_o0"><text>1</text></outputEntry>'


def closed_cases(desk, clock, count):
    codes = []
    for day in range(count):
        clock.set(local(2026, 3, 2 + day % 5, 9, 0))  # Monday to Friday, 9:00
        case = desk.open()
        [grid] = desk.tasks(case)
        clock.set(local(2026, 3, 2 + day % 5, 15, 0))
        desk.do(grid, "grid", resolved())
        codes.append(case)
    desk.at(local(2026, 3, 25, 9, 0))  # the return visits fall due
    for case in codes:
        desk.do(desk.task(case, "visit"), "mediator", VISIT)
        assert desk.instance(case).status == InstanceStatus.COMPLETED
    return [case.code for case in codes]


def test_dry_run_on_twenty_closed_cases_shows_the_changed_due_dates(desk, org, clock):
    codes = closed_cases(desk, clock, 20)
    draft = run_unit(lambda: drafts.create_draft("dispute", actor=org.actor("designer"), now=clock.now()))
    unchanged = dry_run(draft.id)
    assert len(unchanged) == 20 and all(not run.changes and run.same_route and not run.error
                                        for run in unchanged)

    text = draft.files["deadlines.dmn"]
    assert GRID_AMOUNT in text
    edited = text.replace(GRID_AMOUNT, GRID_AMOUNT.replace(">1<", ">3<"))
    run_unit(lambda: drafts.save_file(draft.id, "deadlines.dmn", edited, now=clock.now()))
    runs = dry_run(draft.id)
    assert sorted(run.business_key for run in runs) == sorted(codes)
    for run in runs:
        assert run.error == "" and run.same_route and run.after.completed, run
        [change] = run.changes
        opened = run.before.steps[0].due_at  # 1 working day after opening
        assert change.title == "本级调解" and change.before == opened
        assert change.after > opened
    monday = next(run for run in runs if run.before.steps[0].due_at == end_of(2026, 3, 3))
    assert monday.changes[0].after == end_of(2026, 3, 5)  # Tue → Thu
    friday = next(run for run in runs if run.before.steps[0].due_at == end_of(2026, 3, 9))
    assert friday.changes[0].after == end_of(2026, 3, 11)  # Mon → Wed, across the weekend


def test_dry_run_page_lists_the_cases_with_their_changed_due_dates(client, app, desk, org, clock):
    app.config["WTF_CSRF_ENABLED"] = False
    [code] = closed_cases(desk, clock, 1)
    draft = run_unit(lambda: drafts.create_draft("dispute", actor=org.actor("designer"), now=clock.now()))
    text = draft.files["deadlines.dmn"].replace(GRID_AMOUNT, GRID_AMOUNT.replace(">1<", ">3<"))
    run_unit(lambda: drafts.save_file(draft.id, "deadlines.dmn", text, now=clock.now()))
    sign_in(client, "designer")
    page = client.get(f"/designer/drafts/{draft.id}/dry-run?n=5").get_data(as_text=True)
    assert "共 1 件：期限有变化 1 件，路径不同 0 件。" in page
    assert code in page and "本级调解：2026-03-03 23:59 → 2026-03-05 23:59" in page
