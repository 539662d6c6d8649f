"""One door for every channel: open a case at a grid or org unit given by code, then check duplicates."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from app.cases.access import check_intake
from app.cases.models import Case
from app.cases.services import open_case
from app.channels.duplicates.services import flag_if_duplicate
from app.channels.scope import Scope, unit_by_code
from app.clock import Clock
from app.org.services import Actor, require_open

INTAKE_KEYS = ("title", "narrative", "channel", "category", "risk_tier", "amount", "people_count",
               "address", "occurred_on", "external_ref", "parties")


def intake_form(values: Mapping[str, Any]) -> dict[str, Any]:
    """The intake form (intake.json) from loaded API values: JSON types, absent keys dropped."""
    form: dict[str, Any] = {}
    for key in INTAKE_KEYS:
        value = values.get(key)
        if value is None:
            continue
        if isinstance(value, Decimal):
            value = float(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        form[key] = value
    return form


def receive_case(values: Mapping[str, Any], org_unit_code: str, *, scope: Scope, clock: Clock,
                 duplicate_window_days: int, actor: Actor | None = None,
                 accept_retired: bool = False) -> Case:
    """统一受理 through a channel: scope checks, the case with its process, the duplicate flag.
    A retired unit is refused unless the work was accepted before it retired (`accept_retired`)."""
    unit = unit_by_code(org_unit_code)
    if not accept_retired:
        require_open(unit)
    scope.check_channel(values["channel"])
    scope.check_unit(unit)
    if actor is not None:
        check_intake(actor, unit)  # a user registers as at the window: clerks, under their posts
    return receive_at_unit(intake_form(values), unit.id, clock=clock, actor=actor,
                           duplicate_window_days=duplicate_window_days)


def receive_at_unit(form: Mapping[str, Any], org_unit_id: int, *, clock: Clock,
                    duplicate_window_days: int, actor: Actor | None = None) -> Case:
    """The case with its process and the duplicate flag, for an already checked unit (the window
    desk registers here, so walk-in cases get the same duplicate check as every channel)."""
    case = open_case(form, org_unit_id=org_unit_id, clock=clock, actor=actor)
    flag_if_duplicate(case, duplicate_window_days, clock.now())
    return case
