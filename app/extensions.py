"""Flask extensions, created once and bound to the app in create_app."""

import sqlite3
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Engine, MetaData, TypeDecorator, event
from sqlalchemy.orm import DeclarativeBase, registry


class UTCDateTime(TypeDecorator):
    """Stored as naive UTC on every database, returned timezone-aware.

    SQLite keeps no time zone; storing naive UTC everywhere makes comparisons and
    indexes behave the same on SQLite and PostgreSQL.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base for every OneDoor model."""

    registry = registry(metadata=MetaData(naming_convention=NAMING),
                        type_annotation_map={datetime: UTCDateTime()})


db = SQLAlchemy(model_class=Base)

# What every model subclasses. At run time it is Flask-SQLAlchemy's `db.Model` (the base with the
# query property and the app's session); a type checker, which cannot see through the
# extension's dynamic class, reads it as the declarative base it is built on.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate()


def init_engines() -> None:
    """Tune every SQLite connection opened from now on (called by create_app; idempotent)."""
    if not event.contains(Engine, "connect", _sqlite_pragmas):
        event.listen(Engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite: write-ahead log and NORMAL sync (a commit no longer waits for fsync; a power cut
    can lose the last commits but never corrupts the file), and wait for a writer instead of
    failing at once with "database is locked"."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
