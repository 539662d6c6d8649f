"""Idempotent deliveries: a replay (however concurrent) gets the row the first delivery created,
and a replay whose content differs is a 409 naming the differing fields.

Two identical deliveries at the same moment both find no row and both insert; the database's
unique constraint lets one win. The loser's insert runs under a savepoint, so its unique
violation rolls back only that savepoint: the row the winner committed is then read and
answered as a replay (PostgreSQL's READ COMMITTED sees it as soon as the winner commits).
"""

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError

from app.errors import Conflict
from app.extensions import db

T = TypeVar("T")


def create_once(create: Callable[[], T], find: Callable[[], T | None]) -> tuple[T, bool]:
    """`create()` under a savepoint, True; or, when a concurrent delivery inserted the same key
    first, the row it created, False. `create` must flush its row."""
    try:
        with db.session.begin_nested():
            return create(), True
    except IntegrityError:
        existing = find()
        if existing is None:
            raise  # a different constraint failed: not a replay
        return existing, False


def check_same(what: str, stored: Mapping[str, Any], sent: Mapping[str, Any]) -> None:
    """Refuse a replay whose content differs from what was received under its key."""
    differing = sorted(name for name, value in sent.items() if stored.get(name) != value)
    if differing:
        raise Conflict(f"{what}已接收，但本次推送的内容与之不一致",
                       {name: ["与已接收的内容不一致"] for name in differing})
