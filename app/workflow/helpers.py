"""Functions that diagrams may call in expressions and scripts (the whitelist).

They read the engine's clock, so a test or simulation that moves time moves them too.
"""

import contextlib
import contextvars
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.calendar import WorkCalendar

_CALENDAR = WorkCalendar()


def _now() -> datetime:
    """The engine's current time (UTC, aware)."""
    from app.workflow.engine import current_time  # noqa: PLC0415 - avoid an import cycle

    return current_time()


def _as_datetime(value: Any) -> datetime:
    """Accept a datetime or an ISO string from task data."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise ValueError("需要带时区的日期时间")
    return moment


def add_working_days(start: Any, n: int) -> datetime:
    """End of the n-th working day after `start` (start day not counted)."""
    return _CALENDAR.add_working_days(_as_datetime(start), int(n)).due


def add_natural_days(start: Any, n: int) -> datetime:
    """End of the n-th day after `start`, moved to a working day per the Civil Code."""
    return _CALENDAR.add_natural_days(_as_datetime(start), int(n)).due


def add_hours(start: Any, n: int) -> datetime:
    """`start` plus n clock hours."""
    return _CALENDAR.add_hours(_as_datetime(start), int(n)).due


def deadline(amount: int, unit: str = "day", day_type: str = "working", start: Any = None) -> str:
    """Due time as an ISO string (for timer timeDate expressions), from now by default."""
    begin = _as_datetime(start) if start is not None else _now()
    return _CALENDAR.deadline(begin, int(amount), unit, day_type).due.isoformat()


@dataclass(frozen=True)
class DeadlineRule:
    """One row of a deployment's deadline table (deadlines.dmn)."""

    amount: int
    unit: str
    day_type: str


# The deadline table of the deployment the engine is running; bound by the services
# around every engine call, so `rule_due` always reads the table deployed with the diagram.
_rules: contextvars.ContextVar[Mapping[str, DeadlineRule] | None] = contextvars.ContextVar(
    "onedoor_deadline_rules", default=None)


@contextlib.contextmanager
def bound_rules(rules: Mapping[str, DeadlineRule]) -> Iterator[None]:
    """Make `rules` the table `rule_due` reads for the duration of the block."""
    token = _rules.set(rules)
    try:
        yield
    finally:
        _rules.reset(token)


def deadline_rule(code: str) -> DeadlineRule:
    """The bound table's rule `code`, or LookupError naming it."""
    rules = _rules.get()
    if rules is None or code not in rules:
        raise LookupError(f"期限规则「{code}」不在期限规则表中")
    return rules[code]


def rule_due(code: str, start: Any = None) -> str:
    """Due time (ISO string) of deadline rule `code` from `start` (default: now)."""
    rule = deadline_rule(code)
    return deadline(rule.amount, rule.unit, rule.day_type, start or None)


def iso(moment: Any) -> str:
    """ISO 8601 text of a datetime (timers need strings)."""
    return _as_datetime(moment).isoformat()


def now() -> datetime:
    """The current time (the engine's clock), in UTC."""
    return _now().astimezone(UTC)


HELPERS: dict[str, Callable[..., Any]] = {
    "now": now,
    "add_working_days": add_working_days,
    "add_natural_days": add_natural_days,
    "add_hours": add_hours,
    "deadline": deadline,
    "iso": iso,
    "rule_due": rule_due,
}
