"""督办: deadline notices (预警/催办), supervision orders (督办单) and the supervisor's pages."""

from datetime import timedelta

from flask import Flask

SWEEP_EVERY = timedelta(minutes=1)
WARNINGS_EVERY = timedelta(minutes=10)


def init_app(app: Flask) -> None:
    """Register the pages, the deadline and early-warning jobs and the supervision-order listener."""
    from app.supervision.cli import supervision_command  # noqa: PLC0415
    from app.supervision.notices import sweep_deadlines  # noqa: PLC0415
    from app.supervision.orders import on_instance_synced  # noqa: PLC0415
    from app.supervision.policies import warn_share  # noqa: PLC0415
    from app.supervision.views import bp  # noqa: PLC0415
    from app.supervision.warnings import sweep_warnings  # noqa: PLC0415
    from app.workflow.sync import add_listener, set_warn_policy  # noqa: PLC0415
    from app.workflow.worker import register_job  # noqa: PLC0415

    app.register_blueprint(bp)
    app.cli.add_command(supervision_command)
    add_listener(on_instance_synced)
    set_warn_policy(warn_share)  # new deadlines warn at the policy's share
    register_job("supervision.deadlines", SWEEP_EVERY, sweep_deadlines)
    register_job("supervision.warnings", WARNINGS_EVERY, sweep_warnings)
