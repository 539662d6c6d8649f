"""Run-time bounds on diagram code (issue 12, fault 3): one test per denial-of-service class.

Each snippet here used to hang the process, exhaust its memory, or raise something outside
`Exception`; each must now fail fast with an `Exception` that names the bound.
"""

import os
import threading
import time

import pytest

from app.workflow import limits
from app.workflow.guards import TooLarge
from app.workflow.limits import (
    ScriptCancelled,
    ScriptEscape,
    ScriptLimitExceeded,
    ScriptLimits,
    ScriptMemoryExceeded,
    ScriptTimeout,
    StateTooLarge,
)
from app.workflow.scripting import RestrictedEnvironment

SECONDS = 0.5


@pytest.fixture(autouse=True)
def short_limits(monkeypatch):
    monkeypatch.setattr(limits, "LIMITS", ScriptLimits(seconds=SECONDS, memory_bytes=64 * 2**20))


@pytest.fixture
def env():
    return RestrictedEnvironment({})


def _timed(call):
    started = time.monotonic()
    try:
        call()
    except Exception as exc:  # noqa: BLE001 - the test inspects it
        return exc, time.monotonic() - started
    raise AssertionError("the snippet finished")


ENDLESS = {
    "while True": "while True:\n    pass",
    "data-driven loop": "n = 1\nwhile n > 0:\n    n = n + 1",
    "swallowing the limit": "while True:\n    try:\n        while True:\n            pass\n"
                            "    except Exception:\n        pass",
    "finally: continue": "while True:\n    try:\n        while True:\n            pass\n"
                         "    finally:\n        continue",
    "endless generator": "def g():\n    while True:\n        yield 1\nsum(g())",
}


@pytest.mark.parametrize("script", ENDLESS.values(), ids=ENDLESS.keys())
def test_endless_code_is_stopped_at_the_deadline(env, script):
    exc, took = _timed(lambda: env.execute(script, {}))
    assert isinstance(exc, ScriptTimeout)
    assert "秒" in str(exc)
    assert SECONDS <= took < SECONDS + 1.5


HUGE = {
    "power": "10 ** 10 ** 9",
    "pow()": "pow(10, 10 ** 8)",
    "shift": "1 << 10 ** 9",
    "string repeat": "'x' * 10 ** 9",
    "list repeat": "[0] * 10 ** 9",
    "doubling": "'x' * 600000 + 'y' * 600000",
    "padding": "'-'.ljust(10 ** 9)",
    "joining": "'ab'.join(['x' * 1000] * 1000)",
    "replacing": "('x' * 1000).replace('', 'y' * 1000)",
    "f-string width": "f'{1:>1000000000}'",
    "f-string dynamic width": "f'{1:>{n}}'",
    "percent width": "'%1000000000d' % 1",
    "range consumed in C": "sum(range(10 ** 12))",
    "to_bytes": "(1).to_bytes(10 ** 9, 'big')",
}


@pytest.mark.parametrize("expression", HUGE.values(), ids=HUGE.keys())
def test_one_huge_c_level_step_is_refused_before_it_runs(env, expression):
    exc, took = _timed(lambda: env.evaluate(expression, {"n": 10**9}))
    assert isinstance(exc, TooLarge), exc
    assert took < 0.2


def test_in_place_operators_are_guarded_too(env):
    exc, _ = _timed(lambda: env.execute("x = 'a'\nwhile True:\n    x += x", {}))
    assert isinstance(exc, TooLarge)


def test_endless_iterator_form_is_refused(env):
    exc, took = _timed(lambda: env.evaluate("list(iter(int, 1))", {}))
    assert isinstance(exc, TypeError)
    assert took < 0.2


def test_memory_bomb_is_stopped_at_the_memory_bound(env, monkeypatch):
    # A generous time bound, so that on a loaded machine the memory bound, not the clock,
    # is what stops the script (both fire; which one first must not depend on the load).
    monkeypatch.setattr(limits, "LIMITS", ScriptLimits(seconds=10 * SECONDS, memory_bytes=64 * 2**20))
    script = "x = []\nwhile True:\n    x.append('y' * 1000000)"
    exc, took = _timed(lambda: env.execute(script, {}))
    assert isinstance(exc, ScriptMemoryExceeded), exc
    assert took < 10 * SECONDS


def test_mro_is_out_of_reach(env):
    exc, _ = _timed(lambda: env.execute("raise ValueError.mro()[2]()", {}))
    assert isinstance(exc, AttributeError)


def test_anything_outside_exception_is_converted():
    def leak():
        raise KeyboardInterrupt

    env = RestrictedEnvironment({"leak": leak})
    exc, _ = _timed(lambda: env.evaluate("leak()", {}))
    assert isinstance(exc, ScriptEscape)
    assert isinstance(exc, Exception)


def test_the_deadline_works_outside_the_main_thread(env):
    found = []
    thread = threading.Thread(target=lambda: found.append(_timed(
        lambda: env.execute("while True:\n    pass", {}))[0]))
    thread.start()
    thread.join(10)
    assert isinstance(found[0], ScriptTimeout)


def test_cancel_stops_a_running_script_at_once(env):
    timer = threading.Timer(0.1, limits.cancel_running)
    timer.start()
    try:
        exc, took = _timed(lambda: env.execute("while True:\n    pass", {}))
        assert isinstance(exc, ScriptCancelled)
        assert took < SECONDS
        assert isinstance(_timed(lambda: env.evaluate("1", {}))[0], ScriptCancelled)
    finally:
        limits.reset_cancel()
    assert env.evaluate("1 + 1", {}) == 2


def test_a_limit_never_lands_after_the_evaluation(env):
    """Many evaluations ending near their deadline: no verdict leaks into the caller."""
    for _ in range(20):
        with pytest.raises(ScriptLimitExceeded):
            env.execute("while True:\n    pass", {})
        time.sleep(0.02)  # a stray pending verdict would be raised here
    assert env.evaluate("2 * 3", {}) == 6


def test_ordinary_code_is_unaffected(env):
    data = {"items": [1, 2, 3], "name": "张三"}
    env.execute("total = 0\nfor i in items:\n    total += i * 2\nlabel = f'{name}:{total:>4}'",
                data)
    assert (data["total"], data["label"]) == (12, "张三:  12")
    assert env.evaluate("'-'.join(['a', 'b']) + 'c' * 3", {}) == "a-bccc"


def test_state_larger_than_the_cap_is_refused(monkeypatch):
    monkeypatch.setattr(limits, "LIMITS", ScriptLimits(max_state_bytes=1000))
    limits.check_state_size("x" * 1000)
    with pytest.raises(StateTooLarge, match="过大"):
        limits.check_state_size("x" * 1001)


def test_a_forked_worker_process_is_bounded_too(env):
    """gunicorn forks its workers after the app is loaded: the watchdog must follow."""
    env.execute("x = 1", {})  # the parent has a watchdog now
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        try:
            env.execute("while True:\n    pass", {})
            verdict = b"finished"
        except ScriptTimeout:
            verdict = b"timeout"
        except BaseException:  # noqa: BLE001
            verdict = b"other"
        os.write(write, verdict)
        os._exit(0)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    assert os.read(read, 20) == b"timeout"
    assert status == 0
