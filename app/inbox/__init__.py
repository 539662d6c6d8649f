"""我的待办: department staff's task inbox."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the inbox pages and the staffed-departments check on every submission."""
    from app.inbox import approval_views  # noqa: F401, PLC0415 - its routes join the blueprint
    from app.inbox.views import bp  # noqa: PLC0415
    from app.inbox.whistle import check_submission  # noqa: PLC0415
    from app.workflow.services import add_submission_check  # noqa: PLC0415

    add_submission_check(check_submission)

    app.register_blueprint(bp)
