"""`flask processes check|deploy` and `flask worker`."""

import logging
import sys

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app.extensions import db
from app.org.models import LaneRule
from app.unit_of_work import run_unit
from app.workflow.checks import check_files
from app.workflow.deploy import BundleRefused, deploy_files, read_directories
from app.workflow.worker import run_forever, sweep

processes = AppGroup("processes", help="检查和部署 processes/ 与 forms/ 中的流程文件。")


def _files():
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
@click.option("--once", is_flag=True, help="只扫描一轮后退出。")
def worker_command(once: bool) -> None:
    """Run the background worker (due timers)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    clock = current_app.extensions["onedoor.clock"]
    batch = current_app.config["WORKER_BATCH_SIZE"]
    if once:
        result = sweep(clock, batch)
        click.echo(f"fired={result.fired} skipped={result.skipped} failed={result.failed}")
        return
    run_forever(clock, batch, current_app.config["WORKER_POLL_SECONDS"])
