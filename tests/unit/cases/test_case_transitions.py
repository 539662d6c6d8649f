"""A case's status has one set of writers: the transition methods on `Case` (app/cases/models.py)."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.cases.models import Case
from app.vocab import CaseStatus

APP = Path(__file__).resolve().parents[3] / "app"
NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
# `x.status = …`, `status=CaseStatus.…` (a constructor or .values()), `{"status": CaseStatus.…}`,
# `setattr(x, "status", …)`, `update(Case)…values(status=…)`.
WRITES = [re.compile(p) for p in (
    r"\bcase\w*\.status\s*=[^=]", r"\b(original|parent|duplicate|follow_up)\.status\s*=[^=]",
    r"\bstatus\s*=\s*CaseStatus\.", r"[\"']status[\"']\s*:\s*CaseStatus\.",
    r"setattr\([^,]+,\s*[\"']status[\"']", r"update\(Case\)[^\n]*status")]


def test_no_module_but_the_case_model_writes_a_case_status():
    found = []
    for path in APP.rglob("*.py"):
        if path == APP / "cases" / "models.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if any(p.search(line) for p in WRITES):
                found.append(f"{path.relative_to(APP.parent)}:{number}: {line.strip()}")
    assert found == []


def test_the_grep_would_see_a_write():
    assert any(p.search("    case.status = CaseStatus.CLOSED") for p in WRITES)
    assert any(p.search("Case(code=c, status=CaseStatus.IN_PROGRESS)") for p in WRITES)
    assert not any(p.search("if case.status == CaseStatus.CLOSED:") for p in WRITES)


def _case(**kwargs) -> Case:
    return Case.received(NOW, code="ZY-1", **kwargs)


def test_received_is_in_progress_and_open():
    case = _case()
    assert case.status == CaseStatus.IN_PROGRESS and case.closed_at is None and case.updated_at == NOW


@pytest.mark.parametrize(("status", "closes"), [
    ("in_progress", False), ("resolved", False), ("closed", True), ("unresolved", True),
    ("referred", True), ("reopened", True)])
def test_follow_process_takes_each_status_and_stamps_closed_at_once(status, closes):
    case, later = _case(), NOW + timedelta(days=3)
    case.follow_process(status, later)
    assert case.status == CaseStatus(status) and case.updated_at == later
    assert case.closed_at == (later if closes else None)
    case.follow_process(status, later + timedelta(days=1))
    assert case.closed_at == (later if closes else None)  # the first conclusion stands


def test_follow_process_refuses_a_status_the_vocabulary_lacks():
    with pytest.raises(ValueError):
        _case().follow_process("archived", NOW)


def test_merge_into_closes_as_merged_without_a_deadline():
    original, duplicate = _case(id=1), _case(id=2, current_due_at=NOW + timedelta(days=7))
    duplicate.merge_into(original, NOW)
    assert (duplicate.status, duplicate.result, duplicate.closed_at, duplicate.current_due_at) == (
        CaseStatus.CLOSED, "merged", NOW, None)
    with pytest.raises(ValueError):
        original.merge_into(original, NOW)
