"""The case record: one code per dispute, parties, route, deadlines, outcome and links."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Keep case records in step with their dispute process after every engine step."""
    from app.cases.services import on_instance_synced  # noqa: PLC0415
    from app.cases.taskfacts import facts_for_key  # noqa: PLC0415
    from app.workflow.sync import add_listener, set_case_facts_source  # noqa: PLC0415

    add_listener(on_instance_synced)
    set_case_facts_source(facts_for_key)  # new task rows carry their case's facts
    from app.cases.views import bp  # noqa: PLC0415

    app.register_blueprint(bp)
