"""Grid reports (陇情e通): a dispute opens a case at level 1 of 四级七天 for its grid; a hazard
naming a department becomes that department's task (process `grid_hazard`); other hazards and
public sentiment are recorded for analysis.

Uploads are idempotent on the app's item id. A batch is one transaction in which every item
stands or falls on its own: good items are kept and bad ones reported. Hazard and sentiment
items are checked in Python before anything is written (unknown grid, scope, department), so
they need no savepoint: the batch reads the known item ids, the grids and the departments
once, and the new rows go to the database together. A dispute opens a case and starts its
process, which can fail half-way, so each dispute item runs under its own savepoint.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from app.cases.models import Case
from app.channels.grid.hazards import open_hazard_task
from app.channels.grid.models import GridReport, ReportKind
from app.channels.idempotency import check_same, create_once
from app.channels.intake import receive_case
from app.channels.scope import Scope, unit_by_code
from app.clock import Clock
from app.errors import OneDoorError, ValidationFailed
from app.extensions import db
from app.org.lanes import LaneError, department_for
from app.org.models import Department, OrgUnit

CHANNEL = "grid"
# Bound parameters per IN (...) list: well under SQLite's and PostgreSQL's limits.
IN_CHUNK = 500


def _chunks(values: list, size: int = IN_CHUNK) -> Iterable[list]:
    for low in range(0, len(values), size):
        yield values[low:low + size]


class _Lookups:
    """What items of one upload share: known item ids, grids by code, departments by grid.

    `prefetch` reads all of a batch's item ids and grid codes in a query or two; anything not
    prefetched is read when first asked for, so a single item costs what it did before.
    """

    def __init__(self, scope: Scope):
        self.scope = scope
        self.reports: dict[str, GridReport] = {}
        self.units: dict[str, OrgUnit | None] = {}
        self.departments: dict[tuple[str, int], Department | str] = {}
        self._complete = False

    def prefetch(self, items: list[Mapping[str, Any]]) -> None:
        """Read the batch's existing reports and its grids, one query per 500 distinct values."""
        ids = list(dict.fromkeys(values["external_id"] for values in items))
        for chunk in _chunks(ids):
            self.reports.update((r.external_id, r) for r in db.session.scalars(
                select(GridReport).where(GridReport.external_id.in_(chunk))))
        codes = list(dict.fromkeys(values["grid_code"] for values in items))
        self.units.update(dict.fromkeys(codes))
        for chunk in _chunks(codes):
            self.units.update((u.code, u) for u in db.session.scalars(
                select(OrgUnit).where(OrgUnit.code.in_(chunk))))
        self._complete = True

    def existing(self, external_id: str) -> GridReport | None:
        """The report already received under this item id, if any."""
        if self._complete:
            return self.reports.get(external_id)
        return db.session.scalar(select(GridReport).where(GridReport.external_id == external_id))

    def unit(self, code: str) -> OrgUnit:
        """The grid (or unit) with `code`; a 422 on grid_code when there is none."""
        if code not in self.units:
            self.units[code] = db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))
        unit = self.units[code]
        if unit is None:
            raise ValidationFailed("所属网格或单位编码不存在", {"grid_code": [f"未知的单位编码「{code}」"]})
        return unit

    def department(self, code: str, unit: OrgUnit) -> Department:
        """The department with `code` serving the grid; a 422 on department when there is none."""
        key = (code, unit.id)
        if key not in self.departments:
            try:
                self.departments[key] = department_for(code, unit.id)
            except LaneError as exc:
                self.departments[key] = str(exc)
        found = self.departments[key]
        if isinstance(found, str):
            raise ValidationFailed("指定的责任部门不存在", {"department": [found]})
        return found


def receive_report(values: Mapping[str, Any], *, scope: Scope, clock: Clock,
                   duplicate_window_days: int) -> tuple[GridReport, bool]:
    """One reported item: the existing one for a replayed item id (False), else a new one (True).

    A replay with other content than the item received is refused (409).
    """
    lookups = _Lookups(scope)

    def create() -> tuple[GridReport, bool]:
        received = _receive(values, lookups, clock, duplicate_window_days)
        db.session.flush()
        return received

    def find() -> tuple[GridReport, bool] | None:
        found = db.session.scalar(select(GridReport).where(GridReport.external_id == values["external_id"]))
        return (found, False) if found is not None else None

    (report, created), first = create_once(create, find)
    if not first:  # a concurrent delivery of the same item won
        _check_replay(report, values)
    return report, created


COMPARED = ("kind", "reporter", "title", "content")


def _check_replay(report: GridReport, values: Mapping[str, Any]) -> None:
    """Refuse a replayed item id whose content differs from the item received."""
    unit = db.session.get_one(OrgUnit, report.org_unit_id)
    check_same("该上报条目", {"grid_code": unit.code, **{name: getattr(report, name) for name in COMPARED}},
               {name: values.get(name) for name in ("grid_code", *COMPARED)})


def _receive(values: Mapping[str, Any], lookups: _Lookups, clock: Clock,
             duplicate_window_days: int) -> tuple[GridReport, bool]:
    """Check an item and add its report (not flushed); a dispute opens its case under a savepoint.

    Raises before anything is added when the item is refused, so a refused hazard or sentiment
    item leaves no trace in the session.
    """
    existing = lookups.existing(values["external_id"])
    if existing is not None:
        _check_replay(existing, values)
        return existing, False
    unit = lookups.unit(values["grid_code"])
    lookups.scope.check_channel(CHANNEL)
    lookups.scope.check_unit(unit)
    report = GridReport(external_id=values["external_id"], kind=values["kind"], org_unit_id=unit.id,
                        reporter=values["reporter"], title=values["title"], content=values["content"],
                        status="recorded", received_at=clock.now())
    if values["kind"] == ReportKind.DISPUTE.value:
        _require(values, "category", "parties")
        with db.session.begin_nested():
            case = receive_case({**values, "channel": CHANNEL, "narrative": values["content"],
                                 "external_ref": values["external_id"]}, unit.code, scope=lookups.scope,
                                clock=clock, duplicate_window_days=duplicate_window_days)
            report.case_id, report.status = case.id, "case_opened"
            db.session.add(report)
            db.session.flush()
    elif values["kind"] == ReportKind.HAZARD.value and values.get("department"):
        # A hazard naming a department becomes that department's task (the grid_hazard process),
        # under a savepoint as a dispute's case is: starting a process can fail half-way.
        report.department_id = lookups.department(values["department"], unit).id
        report.status = "routed"
        with db.session.begin_nested():
            db.session.add(report)
            db.session.flush()
            open_hazard_task(report, values["department"], clock)
    else:
        db.session.add(report)
    lookups.reports[report.external_id] = report
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
    """Receive loaded items (index, values or None, load errors), each kept or refused on its own.

    An item id sent twice in one batch is created once and then answered as existing.
    """
    lookups = _Lookups(scope)
    lookups.prefetch([values for _, values, _ in items if values is not None])
    outcomes: list[tuple[int, GridReport | OneDoorError | dict[str, list[str]], bool]] = []
    for index, values, errors in items:
        if values is None:
            outcomes.append((index, errors, False))
            continue
        try:
            report, created = _receive(values, lookups, clock, duplicate_window_days)
        except OneDoorError as exc:
            outcomes.append((index, exc, False))
            continue
        outcomes.append((index, report, created))
    db.session.flush()
    codes = _case_codes(o for _, o, _ in outcomes if isinstance(o, GridReport))
    batch = BatchResult()
    for index, outcome, created in outcomes:
        batch.results.append(_result(index, outcome, created, codes))
    return batch


def _result(index: int, outcome: GridReport | OneDoorError | dict[str, list[str]], created: bool,
            codes: Mapping[int, str]) -> dict[str, Any]:
    if isinstance(outcome, GridReport):
        return {"index": index, "status": "created" if created else "existing",
                **describe(outcome, codes)}
    if isinstance(outcome, OneDoorError):
        return {"index": index, "status": "rejected", "code": outcome.code,
                "message": outcome.message, "errors": outcome.errors}
    return {"index": index, "status": "rejected", "code": "validation_failed",
            "message": "该条数据有误", "errors": outcome}


def _case_codes(reports: Iterable[GridReport]) -> dict[int, str]:
    """Case codes of the reports' cases, one query per 500 cases."""
    ids = list({r.case_id for r in reports if r.case_id})
    codes: dict[int, str] = {}
    for chunk in _chunks(ids):
        codes.update(db.session.execute(select(Case.id, Case.code).where(Case.id.in_(chunk))).all())
    return codes


def describe(report: GridReport, case_codes: Mapping[int, str] | None = None) -> dict[str, Any]:
    """A report as the API shows it (`case_codes`: case codes already read, by case id)."""
    if not report.case_id:
        case_code = None
    elif case_codes is not None and report.case_id in case_codes:
        case_code = case_codes[report.case_id]
    else:
        case_code = db.session.scalar(select(Case.code).where(Case.id == report.case_id))
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
        unit = unit_by_code(org_unit_code)
        query = query.where(GridReport.org_unit_id.in_(
            select(OrgUnit.id).where(OrgUnit.path.startswith(unit.path))))
    return [{"kind": k, "status": s, "count": n} for k, s, n in db.session.execute(query)]
