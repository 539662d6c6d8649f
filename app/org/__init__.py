"""Organisation: org tree, departments, users, memberships and lane rules."""

import click
from flask import Flask, current_app

from app.unit_of_work import run_unit


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Create the Zhangye demo organisation, lane rules, one user per role and the grids' outlines."""
    from app.org.demo import DEMO_PASSWORD, seed_demo, seed_demo_grids  # noqa: PLC0415

    now = current_app.extensions["onedoor.clock"].now()
    counts = run_unit(lambda: seed_demo(now))
    shapes = run_unit(lambda: seed_demo_grids(now))
    click.echo(f"组织单位 {counts['org_units']} 个，部门 {counts['departments']} 个，"
               f"用户 {counts['users']} 个，泳道规则 {counts['lanes']} 条，网格边界 {shapes} 个")
    if counts["users"]:
        click.echo(f"演示用户密码: {DEMO_PASSWORD}")


def init_app(app: Flask) -> None:
    """Register the organisation CLI commands and the lane answers' change watch."""
    from app.org import lanes  # noqa: PLC0415

    lanes.init_app(app)
    app.cli.add_command(seed_demo_command)
