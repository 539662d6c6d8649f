"""Run-time bounds on diagram code: time, memory and the size of any one value.

Every expression and script runs inside `bounded()`. A watchdog thread watches each
running evaluation and, once it passes its deadline, grows the process's memory by more
than its allowance, or the worker is asked to stop, raises an exception inside it
(`PyThreadState_SetAsyncExc`): that works in any thread, not only the main one, and stops
any loop of Python code. A single C-level operation cannot be interrupted that way, so
the operations that can build a huge value in one step (`**`, `*`, `<<`, `+`, `%`,
padding, joining, `range`) are checked before they run (`app.workflow.guards`).

Every failure here is an `Exception`; a script that catches it is stopped again by the
`_check_()` the compiler puts at the top of every `except` and `finally` block.
"""

from __future__ import annotations

import ctypes
import os
import threading
import time
from dataclasses import dataclass
from types import TracebackType

_TICK_SECONDS = 0.01


@dataclass(frozen=True)
class ScriptLimits:
    """Bounds on one evaluation of diagram code."""

    seconds: float = 2.0
    memory_bytes: int = 256 * 2**20
    max_items: int = 1_000_000  # characters or elements of any one value
    max_int_bits: int = 100_000
    max_state_bytes: int = 8 * 2**20  # an instance's saved state (its task data included)
    max_engine_steps: int = 10_000  # automatic tasks one engine run may complete

    @classmethod
    def from_env(cls) -> ScriptLimits:
        """Defaults, overridden by ONEDOOR_SCRIPT_TIME_LIMIT (seconds), ONEDOOR_SCRIPT_MEMORY_MB,
        ONEDOOR_SCRIPT_MAX_ITEMS, ONEDOOR_SCRIPT_MAX_INT_BITS, ONEDOOR_MAX_STATE_BYTES and
        ONEDOOR_MAX_ENGINE_STEPS."""
        env = os.environ.get
        return cls(
            seconds=float(env("ONEDOOR_SCRIPT_TIME_LIMIT", cls.seconds)),
            memory_bytes=int(float(env("ONEDOOR_SCRIPT_MEMORY_MB", 256)) * 2**20),
            max_items=int(env("ONEDOOR_SCRIPT_MAX_ITEMS", cls.max_items)),
            max_int_bits=int(env("ONEDOOR_SCRIPT_MAX_INT_BITS", cls.max_int_bits)),
            max_state_bytes=int(env("ONEDOOR_MAX_STATE_BYTES", cls.max_state_bytes)),
            max_engine_steps=int(env("ONEDOOR_MAX_ENGINE_STEPS", cls.max_engine_steps)))


LIMITS = ScriptLimits.from_env()


class ScriptLimitExceeded(Exception):  # noqa: N818 - reads as a sentence in the audit trail
    """Diagram code went past one of its bounds."""

    reason = "流程脚本超出限制"

    def __init__(self, message: str | None = None) -> None:
        # The watchdog raises the class with no arguments (PyThreadState_SetAsyncExc).
        super().__init__(message or self.describe())

    @classmethod
    def describe(cls) -> str:
        """The Chinese message used when none is given."""
        return cls.reason


class ScriptTimeout(ScriptLimitExceeded):
    """Ran longer than `ScriptLimits.seconds`."""

    @classmethod
    def describe(cls) -> str:
        """Names the bound in force."""
        return f"流程脚本运行超过 {LIMITS.seconds:g} 秒，已被终止"


class ScriptMemoryExceeded(ScriptLimitExceeded):
    """Grew the process by more than `ScriptLimits.memory_bytes`."""

    @classmethod
    def describe(cls) -> str:
        """Names the bound in force."""
        return f"流程脚本占用内存超过 {LIMITS.memory_bytes // 2**20} MB，已被终止"


class ScriptCancelled(ScriptLimitExceeded):
    """Stopped because the process is shutting down."""

    reason = "服务正在停止，流程脚本已被中断"


class EngineStepsExceeded(ScriptLimitExceeded):
    """One engine run completed more automatic tasks than `ScriptLimits.max_engine_steps`."""

    @classmethod
    def describe(cls) -> str:
        """Names the bound in force."""
        return (f"流程自动环节连续执行超过 {LIMITS.max_engine_steps} 步"
                "（图中可能有没有等待点的循环），已被终止")


class StateTooLarge(ScriptLimitExceeded):
    """An instance's task data or saved state is larger than allowed."""

    reason = "流程数据过大"


@dataclass
class _Run:
    thread_id: int
    deadline: float
    memory_bytes: int
    rss_limit: int | None = None  # set by the watchdog's first look (off the hot path)
    tripped: type[ScriptLimitExceeded] | None = None


_lock = threading.Lock()
_wake = threading.Condition(_lock)
_runs: dict[int, _Run] = {}
_cancelled = False
_idle = True  # the watchdog waits for a notify rather than ticking
_watchdog: threading.Thread | None = None
_IDLE_AFTER_TICKS = 100
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _rss() -> int | None:
    """Resident memory of this process in bytes (None where /proc is absent)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


def _raise_in(thread_id: int, exc: type[BaseException] | None) -> None:
    """Raise `exc` in thread `thread_id` at its next bytecode (None clears a pending one)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exc) if exc else ctypes.c_void_p(0))


def _verdict(run: _Run, now: float, rss: int | None) -> type[ScriptLimitExceeded] | None:
    if _cancelled:
        return ScriptCancelled
    if now > run.deadline:
        return ScriptTimeout
    if run.rss_limit is None and rss is not None:
        run.rss_limit = rss + run.memory_bytes
    if run.rss_limit is not None and rss is not None and rss > run.rss_limit:
        return ScriptMemoryExceeded
    return None


def _watch() -> None:
    """Check every running evaluation each tick; after a quiet spell, wait to be woken."""
    global _idle  # noqa: PLW0603 - shared with bounded() under _lock
    quiet = 0
    with _lock:
        while True:
            if _idle:
                _wake.wait()
            quiet = 0 if _runs else quiet + 1
            _idle = quiet > _IDLE_AFTER_TICKS
            now, rss = time.monotonic(), (_rss() if _runs else None)
            for run in _runs.values():
                verdict = run.tripped or _verdict(run, now, rss)
                if verdict is not None:
                    # Raised again every tick: a script may swallow one, never all of them.
                    run.tripped = verdict
                    _raise_in(run.thread_id, verdict)
            if not _idle:
                _wake.wait(_TICK_SECONDS)


def _ensure_watchdog() -> None:
    global _watchdog  # noqa: PLW0603 - one watchdog per process (re-made after a fork)
    if _watchdog is None or not _watchdog.is_alive():
        _watchdog = threading.Thread(target=_watch, name="onedoor-script-watchdog", daemon=True)
        _watchdog.start()


def _after_fork() -> None:
    """A forked child (gunicorn worker) has no watchdog thread: start afresh."""
    global _lock, _wake, _idle, _watchdog  # noqa: PLW0603
    _lock = threading.Lock()
    _wake = threading.Condition(_lock)
    _runs.clear()
    _idle, _watchdog = True, None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


class ScriptEscape(ScriptLimitExceeded):
    """Diagram code raised something outside the `Exception` family; converted."""

    reason = "流程脚本抛出了不允许的异常"


class bounded:  # noqa: N801 - used as a context manager, reads like contextlib's
    """Run the block under the time and memory bounds (nested blocks share the outer one).

    Also keeps every failure inside `Exception`: anything else would escape the engine's
    and the worker's `except Exception` and kill the worker at every restart.
    """

    __slots__ = ("_limits", "_run")

    def __init__(self, limits: ScriptLimits | None = None) -> None:
        self._limits = limits or LIMITS
        self._run: _Run | None = None

    def __enter__(self) -> None:
        global _idle  # noqa: PLW0603 - shared with the watchdog under _lock
        thread_id = threading.get_ident()
        if thread_id in _runs:
            return
        if _cancelled:
            raise ScriptCancelled
        run = _Run(thread_id, time.monotonic() + self._limits.seconds, self._limits.memory_bytes)
        with _lock:
            _runs[thread_id] = run
            if _idle:  # wake the watchdog only when it is not ticking already
                _ensure_watchdog()
                _idle = False
                _wake.notify()
        self._run = run

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        run = self._run
        if run is None:
            return
        _finish(run)
        if exc_type is None and run.tripped is not None:
            raise run.tripped  # the script swallowed the limit and finished anyway
        if exc_type is not None and not issubclass(exc_type, Exception):
            raise ScriptEscape(f"流程脚本抛出了不允许的异常 {exc_type.__name__}") from None


def _finish(run: _Run) -> None:
    """Unregister; a verdict sent just as the block ended must not land in the caller's code."""
    while True:
        try:
            with _lock:
                _runs.pop(run.thread_id, None)
                if run.tripped is not None:
                    _raise_in(run.thread_id, None)
            return
        except ScriptLimitExceeded:
            continue  # arrived before the lock was taken: unregister again


def check() -> None:
    """Raise the verdict the watchdog reached on this thread's evaluation, if any."""
    run = _runs.get(threading.get_ident())
    if run is not None and run.tripped is not None:
        raise run.tripped


def cancel_running() -> None:
    """Stop every evaluation now and refuse new ones (the worker is shutting down)."""
    global _cancelled  # noqa: PLW0603 - process-wide shutdown flag
    with _lock:
        _cancelled = True
        _wake.notify()


def cancelled() -> bool:
    """True once `cancel_running` was called (the worker is shutting down)."""
    return _cancelled


def reset_cancel() -> None:
    """Allow evaluations again (in-process callers that stop and start a worker, tests)."""
    global _cancelled  # noqa: PLW0603
    with _lock:
        _cancelled = False


def check_state_size(text: str, what: str = "流程实例的状态") -> None:
    """Refuse saved state (or task data) larger than `ScriptLimits.max_state_bytes`."""
    size = len(text)
    if size > LIMITS.max_state_bytes:
        raise StateTooLarge(f"{what}过大（{size // 1024} KB，上限 "
                            f"{LIMITS.max_state_bytes // 1024} KB），本步未保存")
