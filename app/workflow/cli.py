"""`flask processes check|deploy` and `flask worker`."""

import logging
import sys
from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app.clock import Clock, FrozenClock
from app.extensions import db
from app.org.models import LaneRule
from app.unit_of_work import run_unit
from app.workflow.checks import check_files
from app.workflow.deploy import BundleRefused, FileSet, deploy_files, read_directories
from app.workflow.worker import run_forever, sweep

processes = AppGroup("processes", help="检查和部署 processes/ 与 forms/ 中的流程文件。")


def _files() -> FileSet:
    return read_directories(current_app.config["PROCESSES_DIR"], current_app.config["FORMS_DIR"])


def _known_lanes() -> list[str] | None:
    """Lane names with rules, or None when the table is empty (checks then skip lanes)."""
    lanes = list(db.session.scalars(select(LaneRule.lane)))
    return lanes or None


@processes.command("check")
@click.option("--no-db", is_flag=True, help="不连接数据库（不检查泳道规则）。")
def check_command(no_db: bool) -> None:
    """Parse every BPMN/DMN/form file; print each problem; exit 1 on any."""
    files = _files()
    problems = check_files(files.bpmn, files.dmn, files.forms,
                           None if no_db else _known_lanes())
    for problem in problems:
        click.echo(str(problem), err=True)
    total = len(files.bpmn) + len(files.dmn) + len(files.forms)
    if problems:
        click.echo(f"检查未通过: {len(problems)} 个问题（共 {total} 个文件）", err=True)
        sys.exit(1)
    click.echo(f"检查通过: {total} 个文件")


@processes.command("deploy")
@click.option("--note", default="", help="本次部署的变更说明。")
def deploy_command(note: str) -> None:
    """Deploy each executable process whose files changed (new version only on a new hash)."""
    now = current_app.extensions["onedoor.clock"].now()
    files = _files()
    try:
        results = run_unit(lambda: [(d.process_id, d.version, created) for d, created in
                                    deploy_files(files, now=now, note=note,
                                                 known_lanes=_known_lanes())])
    except BundleRefused as refused:
        for problem in refused.problems:
            click.echo(str(problem), err=True)
        click.echo("部署被拒绝，未部署任何内容", err=True)
        sys.exit(1)
    for process_id, version, created in results:
        click.echo(f"{process_id}: 版本 {version}{'（新部署）' if created else '（未变化）'}")


@click.command("worker")
@click.option("--once", is_flag=True, help="只触发一批到期定时器后退出（不运行周期任务）。")
@click.option("--until-idle", is_flag=True,
              help="没有到期定时器时退出（退出前再运行一次周期任务）。")
@click.option("--batch-size", type=click.IntRange(min=1), default=None,
              help="每批认领的实例数（默认 ONEDOOR_WORKER_BATCH_SIZE）。")
@click.option("--no-jobs", is_flag=True, help="只触发定时器，不运行其他模块登记的周期任务。")
@click.option("--now", "frozen_now", callback=lambda ctx, param, value: _aware(value),
              help="把时钟固定在该时刻（带时区的 ISO 时间），仅供测试与模拟。")
def worker_command(once: bool, until_idle: bool, batch_size: int | None, no_jobs: bool,
                   frozen_now: datetime | None) -> None:
    """Run the background worker: due timers and the registered periodic jobs.

    Each invocation is one process; run several for more throughput. `--once` fires one
    batch of timers and runs no jobs.
    """
    logging.basicConfig(level=logging.WARNING,
                        format="%(asctime)s %(process)d %(name)s %(levelname)s %(message)s")
    logging.getLogger("onedoor").setLevel(logging.INFO)  # SpiffWorkflow logs every step at INFO
    clock = _worker_clock(frozen_now)
    batch = batch_size or current_app.config["WORKER_BATCH_SIZE"]
    if once:
        result = sweep(clock, batch)
    else:
        result = run_forever(clock, batch, current_app.config["WORKER_POLL_SECONDS"],
                             until_idle=until_idle, jobs=not no_jobs)
    click.echo(f"fired={result.fired} skipped={result.skipped} failed={result.failed}")


def _aware(value: str | None) -> datetime | None:
    """Parse `--now`: an ISO 8601 time that carries a time zone."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise click.BadParameter("需要带时区的 ISO 时间，例如 2026-03-04T08:00:00+08:00")
    return moment


def _worker_clock(frozen_now: datetime | None) -> Clock:
    """The app's clock, or a clock frozen at `--now` (tests and simulations only)."""
    if frozen_now is None:
        clock: Clock = current_app.extensions["onedoor.clock"]
        return clock
    return FrozenClock(frozen_now)
