"""`flask dashboard load-grids FILE` and `flask dashboard demo-grids`."""

import json

import click
from flask import current_app
from flask.cli import AppGroup

from app.dashboard import geo
from app.unit_of_work import run_unit

dashboard_command = AppGroup("dashboard", help="态势大屏：网格边界")


@dashboard_command.command("load-grids")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def load_grids(path: str) -> None:
    """Load grid polygons from a GeoJSON FeatureCollection (properties.code = org unit code)."""
    with open(path, encoding="utf-8") as handle:
        collection = json.load(handle)
    clock = current_app.extensions["onedoor.clock"]
    count = run_unit(lambda: geo.load_shapes(collection, clock.now()))
    click.echo(f"已导入 {count} 个网格边界")


@dashboard_command.command("demo-grids")
def demo_grids() -> None:
    """Store synthetic polygons for every grid (demo data)."""
    clock = current_app.extensions["onedoor.clock"]
    count = run_unit(lambda: geo.load_shapes(geo.demo_collection(), clock.now()))
    click.echo(f"已生成 {count} 个示例网格边界")
