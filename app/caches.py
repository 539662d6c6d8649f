"""The app's caches: one registry per app (`app.extensions["onedoor.caches"]`), cleared by one call.

What a worker remembers between requests — parsed deployments, lane resolutions, the working-day
table, deadline policies — belongs to the app it was read for, not to the Python process: two apps
in one process (tests, a CLI beside a server) never see each other's database through a cache.
Each cache is created on first use by its module (`app_cache(name, factory)`) and has `clear()`.

`clear_caches()` forgets them all: after a change no other process sees, and in tests (the
`--fresh-process` mode clears them at the start of every transaction). Pure functions of their
arguments (compiled expressions, the packaged holiday table, the validator class of a date) stay
process-wide: a fresh process would compute the same values.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol, TypeVar

from flask import Flask, current_app, has_app_context

EXTENSION = "onedoor.caches"


class Clearable(Protocol):
    """Anything a cache registry can hold."""

    def clear(self) -> None:
        """Forget every entry."""


C = TypeVar("C", bound=Clearable)


class Caches:
    """A registry of named caches, created on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, Clearable] = {}

    def get(self, name: str, factory: Callable[[], C]) -> C:
        """The cache called `name`, made by `factory` the first time it is asked for."""
        item = self._items.get(name)
        if item is None:
            with self._lock:
                item = self._items.setdefault(name, factory())
        return item  # type: ignore[return-value]

    def names(self) -> list[str]:
        """The caches created so far."""
        return sorted(self._items)

    def clear(self) -> None:
        """Forget every entry of every cache."""
        for item in list(self._items.values()):
            item.clear()


def init_app(app: Flask) -> None:
    """Give the app its cache registry."""
    app.extensions[EXTENSION] = Caches()


# Outside any app (a bare SQLAlchemy session in a script) there is no app to own a cache.
_OUTSIDE_APPS = Caches()


def caches(app: Flask | None = None) -> Caches:
    """The cache registry of `app` (default: the current app; outside one, a registry of its own)."""
    if app is None:
        if not has_app_context():
            return _OUTSIDE_APPS
        app = current_app._get_current_object()  # type: ignore[attr-defined]
    return app.extensions[EXTENSION]


def app_cache(name: str, factory: Callable[[], C]) -> C:
    """The current app's cache called `name` (see `Caches.get`)."""
    return caches().get(name, factory)


def clear_caches(app: Flask | None = None) -> None:
    """Forget everything the app (default: the current app, if any) has cached."""
    caches(app).clear()
