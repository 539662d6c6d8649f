"""Vendored front-end files: which npm dist files the app serves from app/static/vendor."""

import shutil
from pathlib import Path

import click
from flask import current_app

# package → files under node_modules/<package>/ to copy (a trailing "/" copies a folder)
MANIFEST = {
    "bpmn-js": ["dist/bpmn-navigated-viewer.production.min.js", "dist/assets/",
                "dist/bpmn-modeler.production.min.js"],
    "dmn-js": ["dist/dmn-modeler.production.min.js", "dist/assets/"],
    "swagger-ui-dist": ["swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"],
    "echarts": ["dist/echarts.min.js"],
}


def vendor_dir() -> Path:
    """Where the copied files live (git-ignored; rebuilt by `make install`)."""
    return Path(current_app.root_path) / "static" / "vendor"


@click.command("vendor-assets")
@click.option("--node-modules", default="node_modules", show_default=True)
def vendor_assets_command(node_modules: str) -> None:
    """Copy the front-end dist files from node_modules into app/static/vendor."""
    target = vendor_dir()
    for package, paths in MANIFEST.items():
        for rel in paths:
            source = Path(node_modules) / package / rel
            destination = target / package / rel.removeprefix("dist/")
            if not source.exists():
                raise click.ClickException(f"缺少前端文件 {source}，请先执行 npm ci")
            if rel.endswith("/"):
                shutil.copytree(source, destination, dirs_exist_ok=True)
            else:
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, destination)
    click.echo(f"前端依赖已复制到 {target}")
