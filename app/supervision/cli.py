"""`flask supervision policies|set-policy|sweep`: deadline thresholds per rule, and one sweep by hand."""

from __future__ import annotations

import click
from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.supervision.models import ANY, DeadlinePolicy
from app.supervision.notices import sweep_deadlines
from app.supervision.services import set_policy
from app.unit_of_work import run_unit


@click.group("supervision")
def supervision_command() -> None:
    """督办：期限规则（预警比例、催办与督办工作日数）和期限巡检。"""


def _days(value: int | None) -> str:
    return "不" if value is None else f"{value} 个工作日后"


@supervision_command.command("policies")
def list_policies() -> None:
    """列出期限规则（未列出的任务使用默认值：2/3 预警、1 个工作日催办、5 个工作日督办）。"""
    rows = db.session.scalars(select(DeadlinePolicy).order_by(DeadlinePolicy.process_id,
                                                              DeadlinePolicy.bpmn_id)).all()
    if not rows:
        click.echo("没有自定义期限规则，全部使用默认值")
    for row in rows:
        click.echo(f"{row.process_id}/{row.bpmn_id}: 预警 {float(row.warn_share):.3f}，"
                   f"{_days(row.chase_after_working_days)}催办，{_days(row.supervise_after_working_days)}督办"
                   f"  {row.description}")


@supervision_command.command("set-policy")
@click.option("--process", "process_id", default=ANY, show_default=True, help="流程 id，* 为任意")
@click.option("--task", "bpmn_id", default=ANY, show_default=True, help="任务 id，* 为任意")
@click.option("--warn-share", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=2 / 3)
@click.option("--chase-after", type=click.IntRange(min=0), default=1, help="逾期几个工作日后催办")
@click.option("--supervise-after", type=click.IntRange(min=0), default=5, help="逾期几个工作日后督办")
@click.option("--no-chase", is_flag=True, help="不催办")
@click.option("--no-supervision", is_flag=True, help="不生成督办单")
@click.option("--description", default="")
def set_policy_command(**o) -> None:
    """新增或修改一条期限规则。"""
    run_unit(lambda: set_policy(o["process_id"], o["bpmn_id"], warn_share=o["warn_share"],
                                chase_after=None if o["no_chase"] else o["chase_after"],
                                supervise_after=None if o["no_supervision"] else o["supervise_after"],
                                description=o["description"]))
    click.echo(f"已保存期限规则 {o['process_id']}/{o['bpmn_id']}")


@supervision_command.command("sweep")
def sweep_command() -> None:
    """立即执行一次期限巡检（预警、催办、督办单）。"""
    clock = current_app.extensions["onedoor.clock"]
    counts = run_unit(lambda: sweep_deadlines(clock))
    click.echo(f"预警 {counts.warnings}，催办 {counts.chases}，督办单 {counts.orders}")
