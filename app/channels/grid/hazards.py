"""A hazard report that names a department becomes that department's task (grid_hazard process)."""

from app.channels.grid.models import GridReport
from app.clock import Clock
from app.vocab import GridReportStatus
from app.workflow import services as workflow

HAZARD_PROCESS = "grid_hazard"


def open_hazard_task(report: GridReport, department_code: str, clock: Clock) -> str:
    """Start the hazard process for `report`; its task goes to the department; return the instance id."""
    instance = workflow.start_instance(
        HAZARD_PROCESS, business_key=f"GR-{report.external_id}"[:64], org_unit_id=report.org_unit_id,
        clock=clock, data={"title": report.title, "content": report.content,
                           "department": department_code, "report_id": report.id})
    report.status = GridReportStatus.TASK_OPENED
    return instance.id
