"""Grid reports (陇情e通): a dispute opens a case at level 1 of 四级七天 for its grid; a hazard goes
to the responsible department when one is named; public sentiment is recorded for analysis.

Uploads are idempotent on the app's item id; a batch is one transaction with a savepoint per
item, so good items are kept and bad ones reported.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from app.cases.models import Case
from app.channels.grid.models import GridReport, ReportKind
from app.channels.intake import receive_case
from app.channels.scope import Scope, unit_by_code
from app.clock import Clock
from app.errors import OneDoorError, ValidationFailed
from app.extensions import db
from app.org.lanes import LaneError, department_for

CHANNEL = "grid"


def receive_report(values: Mapping[str, Any], *, scope: Scope, clock: Clock,
                   duplicate_window_days: int) -> tuple[GridReport, bool]:
    """One reported item: the existing one for a replayed item id (False), else a new one (True)."""
    existing = db.session.scalar(select(GridReport).where(GridReport.external_id == values["external_id"]))
    if existing is not None:
        return existing, False
    unit = unit_by_code(values["grid_code"], "grid_code")
    scope.check_channel(CHANNEL)
    scope.check_unit(unit)
    report = GridReport(external_id=values["external_id"], kind=values["kind"], org_unit_id=unit.id,
                        reporter=values["reporter"], title=values["title"], content=values["content"],
                        status="recorded", received_at=clock.now())
    if values["kind"] == ReportKind.DISPUTE.value:
        _require(values, "category", "parties")
        case = receive_case({**values, "channel": CHANNEL, "narrative": values["content"],
                             "external_ref": values["external_id"]}, unit.code, scope=scope,
                            clock=clock, duplicate_window_days=duplicate_window_days)
        report.case_id, report.status = case.id, "case_opened"
    elif values["kind"] == ReportKind.HAZARD.value and values.get("department"):
        try:
            report.department_id = department_for(values["department"], unit.id).id
        except LaneError as exc:
            raise ValidationFailed("指定的责任部门不存在", {"department": [str(exc)]}) from exc
        report.status = "routed"
    db.session.add(report)
    db.session.flush()
    return report, True


def _require(values: Mapping[str, Any], *names: str) -> None:
    missing = {name: ["矛盾纠纷须填写此项"] for name in names if not values.get(name)}
    if missing:
        raise ValidationFailed("矛盾纠纷上报信息不完整", missing)


@dataclass
class BatchResult:
    """Per-item outcome of a batch upload."""

    results: list[dict[str, Any]] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        """How many items ended in each status."""
        counts = {"created": 0, "existing": 0, "rejected": 0}
        for item in self.results:
            counts[item["status"]] += 1
        return counts


def receive_batch(items: list[tuple[int, Mapping[str, Any] | None, dict[str, list[str]]]], *,
                  scope: Scope, clock: Clock, duplicate_window_days: int) -> BatchResult:
    """Receive loaded items (index, values or None, load errors); each under its own savepoint."""
    batch = BatchResult()
    for index, values, errors in items:
        if values is None:
            batch.results.append({"index": index, "status": "rejected", "code": "validation_failed",
                                  "message": "该条数据有误", "errors": errors})
            continue
        try:
            with db.session.begin_nested():
                report, created = receive_report(values, scope=scope, clock=clock,
                                                 duplicate_window_days=duplicate_window_days)
        except OneDoorError as exc:
            batch.results.append({"index": index, "status": "rejected", "code": exc.code,
                                  "message": exc.message, "errors": exc.errors})
            continue
        batch.results.append({"index": index, "status": "created" if created else "existing",
                              **describe(report)})
    return batch


def describe(report: GridReport) -> dict[str, Any]:
    """A report as the API shows it."""
    case_code = db.session.scalar(select(Case.code).where(Case.id == report.case_id)) \
        if report.case_id else None
    return {"id": report.id, "external_id": report.external_id, "kind": report.kind,
            "report_status": report.status, "case_code": case_code}


def summary(org_unit_code: str | None, scope: Scope) -> list[dict[str, Any]]:
    """Counts of reports by kind and status in scope (for analysis)."""
    query = select(GridReport.kind, GridReport.status, func.count()).group_by(
        GridReport.kind, GridReport.status).order_by(GridReport.kind, GridReport.status)
    units = scope.units_query()
    if units is not None:
        query = query.where(GridReport.org_unit_id.in_(units))
    if org_unit_code:
        from app.org.models import OrgUnit  # noqa: PLC0415

        unit = unit_by_code(org_unit_code)
        query = query.where(GridReport.org_unit_id.in_(
            select(OrgUnit.id).where(OrgUnit.path.startswith(unit.path))))
    return [{"kind": k, "status": s, "count": n} for k, s, n in db.session.execute(query)]
