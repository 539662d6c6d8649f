"""Identical deliveries at the same moment all get the idempotent answer (one 201, the rest 200).

On PostgreSQL: 12 real threads against a real HTTP server, each request in its own connection.
On both databases: the lost race replayed deterministically (the first lookup misses a row that
exists, as it does for the loser of a real race), which drives the savepoint path.
"""

import json
import threading

import pytest
import requests
from sqlalchemy import func, select

from app.channels.grid.models import GridReport
from app.channels.grid.services import _Lookups
from app.channels.hotline import services as hotline_services
from app.channels.hotline.models import HotlineOrder
from app.channels.referrals import services as referral_services
from app.channels.referrals.models import Referral
from app.channels.settings import DEV_HOTLINE_SECRET
from app.channels.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from app.extensions import db
from app.workflow.models import ProcessInstance
from tests.channels.conftest import order
from tests.channels.test_grid import item
from tests.channels.test_referrals_and_duplicates import referral
from tests.live import live_url  # noqa: F401

DELIVERIES = 12


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def _at_once(url: str, body: bytes, headers: dict) -> list[requests.Response]:
    """POST the same body from DELIVERIES threads released together."""
    gate = threading.Barrier(DELIVERIES)
    responses: list[requests.Response] = []
    lock = threading.Lock()

    def send():
        gate.wait()
        response = requests.post(url, data=body, headers={**headers, "Content-Type": "application/json"},
                                 timeout=60)
        with lock:
            responses.append(response)
    threads = [threading.Thread(target=send) for _ in range(DELIVERIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return responses


def _assert_idempotent(responses, key: str):
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * (DELIVERIES - 1) + [201], [r.text for r in responses if r.status_code >= 300]
    assert len({r.json()[key] for r in responses}) == 1


def _signed(body: bytes, clock) -> dict:
    stamp = str(int(clock.now().timestamp()))
    return {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: sign(DEV_HOTLINE_SECRET, stamp, body)}


@pytest.fixture
def on_postgres(database):
    if database[0] != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent writers (SQLite serialises them)")


@pytest.mark.postgres_only
def test_twelve_identical_12345_orders_at_once(on_postgres, processes, live_url, clock):  # noqa: F811
    body = json.dumps(order(), ensure_ascii=False).encode()
    responses = _at_once(f"{live_url}/api/v1/hotline/orders", body, _signed(body, clock))
    _assert_idempotent(responses, "id")
    assert (_count(HotlineOrder), _count(ProcessInstance)) == (1, 1)


@pytest.mark.postgres_only
def test_twelve_identical_grid_reports_at_once(on_postgres, processes, make_key, live_url):  # noqa: F811
    key = make_key(channels=("grid",))
    body = json.dumps(item(7, "dispute")).encode()
    responses = _at_once(f"{live_url}/api/v1/grid/reports", body, key.headers)
    _assert_idempotent(responses, "id")
    assert _count(GridReport) == 1
    assert len({r.json()["case_code"] for r in responses}) == 1


@pytest.mark.postgres_only
def test_twelve_identical_referrals_at_once(on_postgres, processes, make_key, live_url):  # noqa: F811
    key = make_key(channels=("police",))
    body = json.dumps(referral("police", "JQ-2026-0042")).encode()
    responses = _at_once(f"{live_url}/api/v1/referrals", body, key.headers)
    _assert_idempotent(responses, "id")
    assert _count(Referral) == 1
    assert len({r.json()["case_code"] for r in responses}) == 1


@pytest.mark.postgres_only
def test_concurrent_batches_with_the_same_items(on_postgres, processes, make_key, live_url):  # noqa: F811
    key = make_key(channels=("grid",))
    items = [item(20, "dispute"), item(21, "hazard"), item(22), item(23)]
    body = json.dumps({"items": items}).encode()
    responses = _at_once(f"{live_url}/api/v1/grid/reports/batch", body, key.headers)
    assert sorted(r.status_code for r in responses) == [200] * DELIVERIES, [r.text for r in responses]
    assert sum(r.json()["created"] for r in responses) == len(items)
    assert sum(r.json()["existing"] for r in responses) == len(items) * (DELIVERIES - 1)
    assert _count(GridReport) == len(items)
    assert len({tuple(x["id"] for x in r.json()["results"]) for r in responses}) == 1


def _miss_once(monkeypatch, owner, name):
    """Make the first lookup miss, as the loser of a race does before the winner commits."""
    real = getattr(owner, name)
    calls = []

    def lookup(*args, **kwargs):
        calls.append(1)
        return None if len(calls) == 1 else real(*args, **kwargs)
    monkeypatch.setattr(owner, name, lookup)
    return calls


def test_lost_race_on_a_12345_order_answers_the_existing_order(processes, hotline, monkeypatch):
    first = hotline(order())
    _miss_once(monkeypatch, hotline_services, "find_order")
    again = hotline(order())
    assert (again.status_code, again.json["id"]) == (200, first.json["id"])
    changed = _miss_once(monkeypatch, hotline_services, "find_order")
    assert hotline(order(title="改了标题的同一工单")).status_code == 409 and changed
    assert (_count(HotlineOrder), _count(ProcessInstance)) == (1, 1)


def test_lost_race_on_a_grid_report_answers_the_existing_report(processes, make_key, monkeypatch):
    key = make_key(channels=("grid",))
    first = key.post("/api/v1/grid/reports", json=item(8, "dispute"))
    assert first.status_code == 201
    monkeypatch.setattr(_Lookups, "existing", lambda self, external_id: None)
    again = key.post("/api/v1/grid/reports", json=item(8, "dispute"))
    assert (again.status_code, again.json["case_code"]) == (200, first.json["case_code"])
    changed = key.post("/api/v1/grid/reports", json=item(8, "dispute", title="另一件事"))
    assert changed.status_code == 409 and list(changed.json["errors"]) == ["title"]
    assert _count(GridReport) == 1


def test_lost_race_on_a_referral_answers_the_existing_referral(processes, make_key, monkeypatch):
    key = make_key(channels=("court",))
    first = key.post("/api/v1/referrals", json=referral("court", "(2026)甘0702民诉前1号".encode().hex()[:60]))
    assert first.status_code == 201, first.json
    ref = first.json["source_ref"]
    _miss_once(monkeypatch, referral_services, "find_referral")
    again = key.post("/api/v1/referrals", json=referral("court", ref))
    assert (again.status_code, again.json["case_code"]) == (200, first.json["case_code"])
    changed = key.post("/api/v1/referrals", json=referral("court", ref, source_system="另一系统"))
    assert changed.status_code == 409 and list(changed.json["errors"]) == ["source_system"]
    assert _count(Referral) == 1
