"""The workflow engine adapter: the only package that imports SpiffWorkflow."""

from flask import Flask

DOCTOR_JOB = "workflow.doctor"


def init_app(app: Flask) -> None:
    """Register the processes, worker and doctor CLI commands and the doctor's worker job."""
    from app.workflow import simulate_cli  # noqa: F401, PLC0415 - adds `processes simulate`
    from app.workflow.cli import processes, worker_command  # noqa: PLC0415
    from app.workflow.doctor import DOCTOR_EVERY, PeriodicCheck  # noqa: PLC0415
    from app.workflow.doctor_cli import doctor_command  # noqa: PLC0415
    from app.workflow.worker import register_job  # noqa: PLC0415

    app.cli.add_command(processes)
    app.cli.add_command(worker_command)
    app.cli.add_command(doctor_command)
    register_job(DOCTOR_JOB, DOCTOR_EVERY, PeriodicCheck())
