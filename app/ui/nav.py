"""Menu entries by role: each entry carries the predicate its page's view checks.

A page's view raises Forbidden exactly when its entry's predicate is false, so "an entry is
shown if and only if the page answers 200" holds by construction; tests/functional/
test_nav_by_role.py checks it for every entry and every demo role.
"""

from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass

from app.org.models import Role
from app.org.services import Actor

WORK_ROLES = frozenset({Role.WINDOW_CLERK, Role.HANDLER, Role.MEDIATOR, Role.GRID_WORKER,
                        Role.CENTER_COORDINATOR})


@dataclass(frozen=True)
class NavEntry:
    """One menu entry: the endpoint it opens, its Chinese label, who may use it."""

    endpoint: str
    label: str
    allowed: Callable[[Actor], bool]
    count: Callable[[Actor], int] | None = None  # a badge, e.g. requests waiting for me


def anyone(actor: Actor) -> bool:
    """Every signed-in user (their own inbox, the cases they may see)."""
    return True


def registers_cases(actor: Actor) -> bool:
    """Window clerks (综合受理) register cases: cases.views._intake_units checks the same."""
    return any(role == Role.WINDOW_CLERK for _, role in actor.unit_roles)


def supervises(actor: Actor) -> bool:
    """Supervisors of an org unit: supervision.access.supervisor_scope checks the same."""
    from app.supervision.access import supervised_unit_ids  # noqa: PLC0415 - supervision builds on ui

    return bool(supervised_unit_ids(actor))


def watches_dashboard(actor: Actor) -> bool:
    """Center coordinators and supervisors: dashboard.figures.dashboard_scope checks the same."""
    from app.dashboard.figures import DASHBOARD_ROLES  # noqa: PLC0415 - dashboard builds on ui

    return any(role in DASHBOARD_ROLES for _, role in actor.unit_roles)


def reports_from_grids(actor: Actor) -> bool:
    """Grid workers (网格员): the grid app's page checks the same."""
    return any(role == Role.GRID_WORKER for _, role in actor.unit_roles)


def approves_transfers(actor: Actor) -> bool:
    """Center coordinators approve 转办 requests: inbox.approval_views checks the same."""
    from app.inbox.transfers import may_approve  # noqa: PLC0415 - inbox builds on ui

    return may_approve(actor)


def transfers_waiting(actor: Actor) -> int:
    """The 待审批 badge: 转办 requests waiting for this coordinator."""
    from app.inbox.transfers import waiting_count  # noqa: PLC0415 - inbox builds on ui

    return waiting_count(actor)


def designs_processes(actor: Actor) -> bool:
    """Process designers and administrators: designer.views._designers_only checks the same."""
    from app.designer.views import DESIGNER_ROLES  # noqa: PLC0415 - designer builds on ui

    return any(actor.has_role(role) for role in DESIGNER_ROLES)


def administers(actor: Actor) -> bool:
    """Administrators of an org subtree: the admin blueprint's guard checks the same."""
    from app.admin.access import is_admin  # noqa: PLC0415 - admin builds on ui

    return is_admin(actor)


def allowed_entries(actor: Actor, entries: Iterable[NavEntry],
                    installed: Container[str]) -> list[NavEntry]:
    """The entries whose area is installed and that the actor may use."""
    return [e for e in entries if e.endpoint in installed and e.allowed(actor)]


def landing_endpoint(actor: Actor, installed: Container[str]) -> str:
    """The page a role starts from: its inbox for case workers, the overdue list for a
    supervisor, deployments for a designer, the admin home for an administrator."""
    if actor.roles & WORK_ROLES or not actor.roles:
        return "inbox.index"
    for predicate, endpoint in ((supervises, "supervision.overdue_list"), (administers, "admin.index"),
                                (designs_processes, "designer.index")):
        if predicate(actor) and endpoint in installed:
            return endpoint
    return "inbox.index"
