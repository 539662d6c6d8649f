"""The workflow engine adapter: the only package that imports SpiffWorkflow."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the processes and worker CLI commands."""
    from app.workflow import simulate_cli  # noqa: F401, PLC0415 - adds `processes simulate`
    from app.workflow.cli import processes, worker_command  # noqa: PLC0415

    app.cli.add_command(processes)
    app.cli.add_command(worker_command)
