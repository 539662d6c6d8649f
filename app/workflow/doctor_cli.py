"""`flask doctor`: the consistency check from the command line (exit status 1 on a finding)."""

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from app.unit_of_work import run_unit
from app.workflow import doctor


@click.command("doctor")
@with_appcontext
def doctor_command() -> None:
    """Check every instance: state vs task rows vs timers vs subscriptions; exit 1 on a finding."""
    clock = current_app.extensions["onedoor.clock"]
    findings = run_unit(lambda: doctor.examine(clock.now()))
    for finding in findings:
        click.echo(f"{finding.business_key}\t{finding.instance_id}\t{finding.process_id}\t{finding.text}")
    if findings:
        click.echo(f"发现 {len(findings)} 个问题", err=True)
        sys.exit(1)
    click.echo("所有流程实例一致")
