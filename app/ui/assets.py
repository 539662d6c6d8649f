"""Vendored front-end files: which npm dist files the app serves from app/static/vendor."""

import shutil
import subprocess
from pathlib import Path

import click
from flask import current_app

# package → files under node_modules/<package>/ to copy (a trailing "/" copies a folder)
MANIFEST = {
    "bpmn-js": ["dist/bpmn-navigated-viewer.production.min.js", "dist/assets/"],
    "dmn-js": ["dist/dmn-modeler.production.min.js", "dist/assets/"],
    "swagger-ui-dist": ["swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"],
    "echarts": ["dist/echarts.min.js"],
}
# ES-module entries bundled with esbuild (offline, from node_modules) → vendor/onedoor/<name>.js
# (and .css when the entry imports styles): the modeler with the standard properties panel.
BUNDLES = {"modeler": "src/modeler-entry.js"}


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
    build_bundles(Path(node_modules), target / "onedoor")
    click.echo(f"前端依赖已复制到 {target}")


def build_bundles(node_modules: Path, out: Path) -> None:
    """Bundle each ES-module entry of BUNDLES with the esbuild of node_modules."""
    esbuild = node_modules / ".bin" / "esbuild"
    if not esbuild.exists():
        raise click.ClickException(f"缺少构建工具 {esbuild}，请先执行 npm ci")
    static = Path(current_app.root_path) / "static"
    for name, entry in BUNDLES.items():
        result = subprocess.run(  # noqa: S603 - a fixed tool from our own node_modules
            [str(esbuild), str(static / entry), "--bundle", "--minify", "--format=iife", "--target=es2019",
             "--log-level=error", f"--outfile={out / name}.js"],
            capture_output=True, text=True, check=False)
        if result.returncode:
            raise click.ClickException(f"前端打包失败（{entry}）：{result.stderr.strip()[:2000]}")
