"""Shared by the bench scripts: a throw-away database, machine facts, appending to RESULTS.md.

Run bench scripts from the repository root with the project's virtualenv, e.g.
`.venv/bin/python -m bench.timers`.
"""

from __future__ import annotations

import contextlib
import os
import platform
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
DEFAULT_PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"

if str(ROOT) not in sys.path:  # `python bench/x.py` as well as `python -m bench.x`
    sys.path.insert(0, str(ROOT))


def sqlalchemy_url(url: str) -> str:
    """The SQLAlchemy spelling (psycopg 3 driver) of a postgresql:// URL."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def libpq_url(url: str) -> str:
    """The plain libpq spelling of a PostgreSQL URL (what psycopg.connect wants)."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@contextlib.contextmanager
def throwaway_postgres(admin_url: str = DEFAULT_PG_ADMIN_URL) -> Iterator[str]:
    """Create an empty database next to `admin_url`, yield its URL, drop it afterwards."""
    import psycopg  # noqa: PLC0415 - only the PostgreSQL benches need it

    name = f"onedoor_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(libpq_url(admin_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield libpq_url(admin_url).rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(libpq_url(admin_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate_and_seed_demo(now: datetime, note: str = "") -> None:
    """Inside an app context: what `make run` does before serving — migrate to head, seed the
    working-day table, the demo organisation and deploy processes/ and forms/, each one unit."""
    from flask import current_app  # noqa: PLC0415
    from flask_migrate import upgrade  # noqa: PLC0415

    from app.calendar.store import seed_from_package  # noqa: PLC0415
    from app.org.demo import DEFAULT_LANES, seed_demo  # noqa: PLC0415
    from app.unit_of_work import run_unit  # noqa: PLC0415
    from app.workflow.deploy import deploy_files, read_directories  # noqa: PLC0415

    upgrade()
    run_unit(lambda: seed_from_package(now))
    run_unit(lambda: seed_demo(now))
    files = read_directories(current_app.config["PROCESSES_DIR"], current_app.config["FORMS_DIR"])
    run_unit(lambda: deploy_files(files, now=now, note=note,
                                  known_lanes=[lane for lane, *_ in DEFAULT_LANES]))


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                             capture_output=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=ROOT, text=True, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out + ("+dirty" if dirty.strip() else "")


def database_version(url: str) -> str:
    """'PostgreSQL 15.20' or 'SQLite 3.x' for the database at `url`."""
    if url.startswith("sqlite"):
        import sqlite3  # noqa: PLC0415

        return f"SQLite {sqlite3.sqlite_version}"
    import psycopg  # noqa: PLC0415

    with psycopg.connect(libpq_url(url)) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
    return f"PostgreSQL {version.split()[0]}"


def machine_facts(database_url: str | None = None) -> dict[str, str]:
    """CPU, cores, RAM, load, database, Python, SpiffWorkflow, commit and date, for a results entry."""
    facts = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": _commit(),
        "cpu": _cpu_model(),
        "cores": str(os.cpu_count()),
        "ram": _ram_gib(),
        "load (1 min) at start": f"{os.getloadavg()[0]:.2f}",
        "python": platform.python_version(),
        "SpiffWorkflow": metadata.version("SpiffWorkflow"),
    }
    if database_url:
        facts["database"] = database_version(database_url)
    return facts


def markdown_table(headers: list[str], rows: list[list[object]]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def append_results(title: str, facts: dict[str, str], table: str, notes: str = "",
                   path: Path = RESULTS) -> None:
    """Append one run (heading, machine facts, table, notes) to bench/RESULTS.md."""
    if not path.exists():
        path.write_text("# Benchmark results\n\nAppended by the scripts in `bench/`; newest last.\n",
                        encoding="utf-8")
    facts_line = "; ".join(f"{key}: {value}" for key, value in facts.items() if key != "date")
    entry = f"\n## {title} — {facts['date']}\n\n{facts_line}\n\n{table}\n"
    if notes:
        entry += f"\n{notes}\n"
    with path.open("a", encoding="utf-8") as out:
        out.write(entry)
