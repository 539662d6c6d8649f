"""`flask processes simulate`: walk the dispute process with sample data and a moved clock."""

import json
from datetime import datetime
from pathlib import Path

import click
from flask import current_app

from app.errors import OneDoorError
from app.workflow.cli import processes
from app.workflow.simulate import ROUTES, Options, simulate


def _aware(ctx: click.Context, param: click.Parameter, value: str) -> datetime:  # noqa: ARG001 - click callback signature
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise click.BadParameter("需要带时区的 ISO 时间，例如 2026-09-30T09:00:00+08:00")
    return moment


@processes.command("simulate")
@click.option("--route", type=click.Choice(sorted(ROUTES)), default="four_levels", show_default=True,
              help="走哪条化解路径（按 routing.dmn 选择示例受理数据）。")
@click.option("--timeout-levels", type=click.IntRange(min=0), default=0, show_default=True,
              help="让前 N 个带期限的待办期满（例如四级七天逐级上交）。")
@click.option("--start", default="2026-09-30T09:00:00+08:00", show_default=True, callback=_aware,
              help="模拟开始时间（带时区）。")
@click.option("--data", "data_file", type=click.Path(exists=True, dir_okay=False),
              help='JSON：{"intake": {...}, "tasks": {"<bpmn id>": {...}}}，覆盖默认示例数据。')
@click.option("--processes-dir", type=click.Path(exists=True, file_okay=False), default=None,
              help="流程目录（默认 PROCESSES_DIR）。")
@click.option("--forms-dir", type=click.Path(exists=True, file_okay=False), default=None,
              help="表单目录（默认 FORMS_DIR）。")
@click.option("--draft", "draft_id", type=int, default=None,
              help="模拟在线建模的草稿（草稿文件叠加在当前已部署的文件上），而不是流程目录。")
def simulate_command(route: str, timeout_levels: int, start: datetime,  # noqa: PLR0913, PLR0917
                     data_file: str | None, processes_dir: str | None, forms_dir: str | None,
                     draft_id: int | None) -> None:
    """Walk a dispute case through the processes in a throw-away database; print tasks, due
    dates and the path taken. Nothing is written to the configured database."""
    data = json.loads(Path(data_file).read_text(encoding="utf-8")) if data_file else {}
    options = Options(start=start, route=route, timeout_levels=timeout_levels,
                      processes_dir=Path(processes_dir or current_app.config["PROCESSES_DIR"]),
                      forms_dir=Path(forms_dir or current_app.config["FORMS_DIR"]),
                      intake=data.get("intake", {}), task_data=data.get("tasks", {}))
    if draft_id is not None:
        from app.designer.drafts import publishable  # noqa: PLC0415 - designer area, read once

        try:
            options.files = publishable(draft_id)
        except OneDoorError as error:
            raise click.ClickException(error.message) from error
    simulate(options, click.echo)
