"""No behaviour in import side effects: listeners are registered by create_app's init functions."""

import re
from pathlib import Path

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from app.audit import services as audit
from app.extensions import _sqlite_pragmas
from app.org import lanes

APP = Path(__file__).resolve().parents[2] / "app"
AT_IMPORT = re.compile(r"^(@event\.listens_for|event\.listen\(|from \S+ import \S+\s+# noqa: E402)")


def test_no_module_registers_behaviour_when_imported():
    found = [f"{path.relative_to(APP)}:{n}" for path in APP.rglob("*.py")
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if AT_IMPORT.match(line)]
    assert found == []


def test_create_app_registers_the_listeners(app):
    assert event.contains(Engine, "connect", _sqlite_pragmas)
    for name, listener in (("after_flush", lanes._note_org_change),
                           ("after_commit", lanes._org_change_committed),
                           ("before_flush", audit._before_flush), ("before_commit", audit.write_pending),
                           ("do_orm_execute", audit._before_reading),
                           ("after_transaction_end", audit._transaction_ended)):
        assert event.contains(Session, name, listener)
