"""A diagram script that hangs, bloats or escapes cannot stop the timers of other instances.

Issue 12, fault 3, through real `flask worker` processes. The `poison` diagram is stored the
way a deployment made before the deploy check knew these bombs is stored (rows written
directly): what the check refuses today must still be survivable at run time. Its timer
fires a script chosen by the instance's data; each class is one instance.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from app.unit_of_work import run_unit
from app.workflow import services
from app.workflow.models import Deployment, DeploymentFile, FileKind, HumanTask, ProcessInstance
from tests.functional.test_worker import PAST_DEADLINE, ROOT, _start

POISON_SCRIPT = """
if kind == "loop":
    n = 1
    while n > 0:
        n = n + 1
elif kind == "power":
    big = base ** exponent
elif kind == "memory":
    parts = []
    while len(parts) < count:
        parts.append("y" * 1000000)
elif kind == "escape":
    raise ValueError.mro()[2]()
elif kind == "state":
    blob = "z" * 300000
"""

POISON_BPMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  id="poison_defs" targetNamespace="http://onedoor.example/test">
  <bpmn:process id="poison" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>a</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="wait"><bpmn:incoming>a</bpmn:incoming>
      <bpmn:outgoing>b</bpmn:outgoing>
      <bpmn:timerEventDefinition id="wait_def">
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"PT1H"</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:scriptTask id="bomb"><bpmn:incoming>b</bpmn:incoming><bpmn:outgoing>c</bpmn:outgoing>
      <bpmn:script>{escape(POISON_SCRIPT)}</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="e"><bpmn:incoming>c</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="a" sourceRef="s" targetRef="wait" />
    <bpmn:sequenceFlow id="b" sourceRef="wait" targetRef="bomb" />
    <bpmn:sequenceFlow id="c" sourceRef="bomb" targetRef="e" />
  </bpmn:process>
</bpmn:definitions>
"""

KINDS = {
    "loop": {},
    "power": {"base": 10, "exponent": 10**9},
    "memory": {"count": 100_000},
    "escape": {},
    "state": {},
}
# 3 s: long enough that under load the memory bomb meets the memory bound before the clock.
LIMIT_ENV = {"ONEDOOR_SCRIPT_TIME_LIMIT": "3", "ONEDOOR_SCRIPT_MEMORY_MB": "128",
             "ONEDOOR_MAX_STATE_BYTES": "200000"}


def _legacy_poison_deployment(clock) -> None:
    def write():
        deployment = Deployment(process_id="poison", version=1, content_hash="legacy",
                                created_at=clock.now(), note="部署检查加强之前的版本")
        db.session.add(deployment)
        db.session.flush()
        db.session.add(DeploymentFile(deployment_id=deployment.id, name="poison.bpmn",
                                      kind=FileKind.BPMN, content=POISON_BPMN))
    run_unit(write)


def _start_poison(clock, kinds) -> dict[str, str]:
    return run_unit(lambda: {kind: services.start_instance(
        "poison", business_key=f"ZY-POISON-{kind}", org_unit_id=None,
        data={"kind": kind, **KINDS[kind]}, clock=clock).id for kind in kinds})


def _worker(database_uri: str, log: Path, env: dict[str, str]):
    command = [sys.executable, "-m", "flask", "worker", "--no-jobs", "--now",
               PAST_DEADLINE.isoformat(), "--batch-size", "50"]
    environment = {**os.environ, "DATABASE_URL": database_uri, "FLASK_APP": "wsgi.py",
                   "ONEDOOR_WORKER_POLL_SECONDS": "0.2", **env}
    with log.open("w") as out:
        return subprocess.Popen([*command, "--until-idle"] if "--forever" not in env else command,
                                cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT)


@contextlib.contextmanager
def _reaped(process):
    """Kill the worker should the test fail while it runs (a hung one would outlive the test)."""
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _failures() -> dict[str, dict]:
    db.session.expire_all()
    return {event.instance_id: event.summary for event in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "timers.failed"))}


def test_poison_instances_are_audited_and_every_other_timer_fires(
        database_uri, deployed, org, clock, tmp_path):
    _legacy_poison_deployment(clock)
    poison = _start_poison(clock, KINDS)
    healthy = _start(20, org, clock)
    log = tmp_path / "worker.log"
    started = time.monotonic()
    with _reaped(_worker(database_uri, log, LIMIT_ENV)) as worker:
        worker.wait(timeout=120)
    assert worker.returncode == 0, log.read_text()[-3000:]
    assert time.monotonic() - started < 60

    failures = _failures()
    assert sorted(failures) == sorted(poison.values()), log.read_text()[-3000:]
    by_kind = {kind: failures[instance_id] for kind, instance_id in poison.items()}
    assert "秒" in by_kind["loop"]["limit"]
    assert "过大" in by_kind["power"]["limit"]
    assert "内存" in by_kind["memory"]["limit"]
    assert "过大" in by_kind["state"]["limit"]
    assert "mro" in by_kind["escape"]["message"]
    assert all(summary.get("element") == "bomb" for kind, summary in by_kind.items()
               if kind != "state")
    db.session.expire_all()
    escalated = set(db.session.scalars(select(HumanTask.instance_id).where(
        HumanTask.bpmn_id == "escalated")))
    assert escalated == set(healthy)
    # Postponed, not lost: each poison instance waits for its retry, still running.
    for instance in db.session.scalars(
            select(ProcessInstance).where(ProcessInstance.id.in_(poison.values()))):
        assert instance.next_timer_at is not None
        assert instance.status.value == "running"


@pytest.mark.parametrize("kind", ["loop"])
def test_sigterm_stops_a_worker_busy_in_a_hung_script(database_uri, deployed, org, clock,
                                                      tmp_path, kind):
    _legacy_poison_deployment(clock)
    poison = _start_poison(clock, [kind])
    log = tmp_path / "worker.log"
    # The script limit is far away: only SIGTERM can end this evaluation.
    env = {"ONEDOOR_SCRIPT_TIME_LIMIT": "600", "--forever": "1"}
    with _reaped(_worker(database_uri, log, env)) as worker:
        deadline = time.monotonic() + 30
        while "worker started" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.5)  # claimed and inside the endless loop by now
        assert worker.poll() is None
        sent = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=10)
        assert time.monotonic() - sent < 10
    assert worker.returncode == 0, log.read_text()[-3000:]
    # Interrupted, not broken: no failure recorded, still due for the next worker.
    assert _failures() == {}
    db.session.expire_all()
    instance = db.session.get(ProcessInstance, poison[kind])
    assert instance.next_timer_at is not None
