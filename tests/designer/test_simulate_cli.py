"""`flask processes simulate`: the dispute process's 四级七天 route across National Day 2026."""


def test_four_levels_route_with_one_level_timing_out(runner):
    result = runner.invoke(args=["processes", "simulate", "--route", "four_levels",
                                 "--timeout-levels", "1", "--start", "2026-09-30T09:00:00+08:00"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "模拟开始：2026-09-30 09:00（周三），路径 four_levels，期满层级数 1"
    # Level one: 1 working day, across the National Day holiday (1–7 Oct off, 8 Oct back at work).
    assert ("[2026-09-30 09:00（周三）] 待办：本级调解（level_mediation）· 泳道 网格员 · "
            "候选 梁家墩镇第1村第1网格 网格员 · 期限 2026-10-08 23:59（周四） · 层级 网格员首调") in lines
    assert "[2026-10-09 00:00（周五）] 期满：本级调解（网格员首调），时钟推进到 2026-10-09 00:00:00" in lines
    # Level two: 2 working days from level one's deadline — Fri 9 and the make-up Saturday 10 Oct.
    assert any("泳道 村调委会" in line and "期限 2026-10-10 23:59（周六） · 层级 村（社区）调委会调解" in line
               for line in lines)
    assert "路径：受理 → 本级调解（网格员首调）·期满 → 本级调解（村（社区）调委会调解） → 回访当事人" in lines
    assert lines[-1].startswith("结果：案件状态 closed，化解途径 four_levels，最后层级 村（社区）调委会调解")


def test_simulation_leaves_the_configured_database_alone(runner, app):
    from app.extensions import db  # noqa: PLC0415
    from app.workflow.models import Deployment  # noqa: PLC0415

    assert runner.invoke(args=["processes", "simulate"]).exit_code == 0
    assert db.session.query(Deployment).count() == 0


def test_simulating_a_draft_uses_its_changed_deadline(runner, desk, org, clock):
    from app.designer import drafts  # noqa: PLC0415
    from app.unit_of_work import run_unit  # noqa: PLC0415

    draft = run_unit(lambda: drafts.create_draft("dispute", actor=org.actor("designer"), now=clock.now()))
    cell = '<outputEntry id="deadlines_r0_o0"><text>1</text></outputEntry>'
    text = draft.files["deadlines.dmn"].replace(cell, cell.replace(">1<", ">3<"))
    run_unit(lambda: drafts.save_file(draft.id, "deadlines.dmn", text, now=clock.now()))
    result = runner.invoke(args=["processes", "simulate", "--draft", str(draft.id),
                                 "--start", "2026-09-30T09:00:00+08:00"])
    assert result.exit_code == 0, result.output
    # 3 working days across National Day: Thu 8, Fri 9 and the make-up Saturday 10 October.
    assert any("待办：本级调解（level_mediation）" in line and "期限 2026-10-10 23:59（周六）" in line
               for line in result.output.splitlines())
    missing = runner.invoke(args=["processes", "simulate", "--draft", "999"])
    assert missing.exit_code != 0 and "草稿不存在" in missing.output
