"""Case codes (一案一码): PREFIX-YEAR-NNNNNN from a per-year counter row."""

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from app.cases.models import CaseSequence
from app.extensions import db

DEFAULT_PREFIX = "ZY"


def _bump(prefix: str, year: int) -> int | None:
    # A single UPDATE … RETURNING: on PostgreSQL the row lock it takes lasts until commit,
    # so two intakes in parallel get consecutive numbers, never the same one.
    return db.session.execute(
        update(CaseSequence)
        .where(CaseSequence.prefix == prefix, CaseSequence.year == year)
        .values(value=CaseSequence.value + 1)
        .returning(CaseSequence.value)
        .execution_options(synchronize_session=False)).scalar_one_or_none()


def next_case_code(year: int, prefix: str = DEFAULT_PREFIX) -> str:
    """The next free case code of `year`, e.g. ZY-2026-000123."""
    value = _bump(prefix, year)
    if value is None:
        try:
            with db.session.begin_nested():
                db.session.add(CaseSequence(prefix=prefix, year=year, value=0))
        except IntegrityError:
            pass  # another transaction created the year's row first; bumping it is enough
        value = _bump(prefix, year)
    return f"{prefix}-{year}-{value:06d}"
