"""Expressions checked on sample data before a deploy.

Timer and deadline expressions only fail when a case reaches them, often days later. Those
whose names are all helpers are evaluated here on a sample moment (the eve of a holiday),
and every call of a working-day helper is checked for its arguments. Called by
`checks.check_files` once the bundle parses.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime

from app.workflow import engine
from app.workflow.checks import ALLOWED_NAMES, BPMN, SPIFF, Element, Problem, _bpmn_snippets, _owner_id
from app.workflow.helpers import HELPERS, DeadlineRule
from app.workflow.limits import LIMITS, bounded
from app.workflow.scripting import DEFAULT_SAFE_NAMES

HELPER_ARITY = {"add_working_days": (2, 2), "add_natural_days": (2, 2), "add_hours": (2, 2),
                "deadline": (1, 4), "rule_due": (1, 2), "iso": (1, 1), "now": (0, 0)}
HELPER_CHOICES = {("deadline", 1): ("day", "hour"), ("deadline", 2): ("working", "natural")}
TIMER_TAGS = ("timeDate", "timeDuration", "timeCycle")
# Wednesday 30 September 2026, 09:00 Beijing time (01:00 UTC): the eve of National Day, across 调休 days.
SAMPLE_MOMENT = datetime(2026, 9, 30, 1, 0, tzinfo=UTC)


def _helper_calls(source: str) -> tuple[list[ast.Call], set[str]]:
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return [], set()  # reported by check_source
    calls = [node for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
             and node.func.id in HELPER_ARITY]
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    return calls, names


def _call_problems(call: ast.Call, rules: Mapping[str, DeadlineRule]) -> list[str]:
    """What is wrong with one helper call (argument count, literal units, unknown rule codes)."""
    assert isinstance(call.func, ast.Name)  # _helper_calls finds calls of names only
    name = call.func.id
    low, high = HELPER_ARITY[name]
    count = len(call.args) + len(call.keywords)
    if not low <= count <= high:
        wanted = f"{low}" if low == high else f"{low}–{high}"
        return [f"函数 {name} 需要 {wanted} 个参数，实际给了 {count} 个"]
    found = []
    for index, arg in enumerate(call.args):
        if not isinstance(arg, ast.Constant):
            continue
        choices, shown = HELPER_CHOICES.get((name, index)), str(arg.value)
        if choices and arg.value not in choices:
            allowed = " 或 ".join(choices)
            found.append(f"函数 {name} 的第 {index + 1} 个参数只能是 {allowed}，不是「{shown}」")
        if name == "rule_due" and index == 0 and arg.value not in rules:
            found.append(f"期限规则「{shown}」不在期限规则表（deadlines.dmn）中")
    return found


def _expression_nodes(root: Element) -> Iterable[tuple[Element, str, str]]:
    """(node, source, kind) for timers and deadline properties of a BPMN document."""
    for tag in TIMER_TAGS:
        for node in root.iter(f"{BPMN}{tag}"):
            if (node.text or "").strip():
                yield node, node.text.strip(), tag
    for node in root.iter(f"{SPIFF}property"):
        if node.get("name") == "dueAt" and node.get("value"):
            yield node, node.get("value"), "dueAt"


CHECK_SECONDS = 6.0


def _sample_value_problem(source: str, kind: str, rules: Mapping[str, DeadlineRule]) -> str | None:
    """Evaluate a helper-only expression on the sample moment; describe a bad result."""
    from app.clock import FrozenClock  # noqa: PLC0415
    from app.workflow.helpers import bound_rules  # noqa: PLC0415
    from app.workflow.scripting import RestrictedEnvironment  # noqa: PLC0415

    environment = RestrictedEnvironment({**DEFAULT_SAFE_NAMES, **HELPERS})
    try:
        # The evaluation's own bound nests inside this wider one: the helpers read the working-day
        # table, and a deploy on a loaded machine must not be refused for waiting on it; a hang
        # is still stopped.
        with bounded(replace(LIMITS, seconds=max(LIMITS.seconds, CHECK_SECONDS))), \
                engine.engine_time(FrozenClock(SAMPLE_MOMENT)), bound_rules(rules):
            value = environment.evaluate(source.strip(), {})
    except Exception as exc:  # noqa: BLE001 - any failure is the designer's to see
        return f"表达式在示例数据上计算失败: {exc}"
    if kind in TIMER_TAGS and not isinstance(value, str):
        return "定时表达式须得到 ISO 时间字符串（例如用 iso(...) 包裹，或用 deadline/rule_due）"
    text = value.isoformat() if hasattr(value, "isoformat") else value
    try:
        parsed = engine.parse_timer_value(text, kind) if kind in TIMER_TAGS else _aware(text)
    except (ValueError, TypeError, AttributeError):
        parsed = None
    return None if parsed is not None else f"表达式的结果「{text}」不是带时区的时间或 ISO 时长"


def _aware(text: str) -> datetime | None:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else None


def check_expressions(bpmn: Mapping[str, str], dmn: Mapping[str, str],
                      trees: Mapping[str, Element]) -> list[Problem]:
    """Working-day helpers called correctly everywhere; timers and dueAt evaluate on sample data."""
    from app.workflow.registry import parse_deadline_rules  # noqa: PLC0415

    try:
        rules = parse_deadline_rules(dmn)
    except Exception as exc:  # noqa: BLE001 - a malformed table is reported, not raised
        return [Problem(next(iter(dmn), "deadlines.dmn"), "deadlines", None, f"期限规则表无法读取: {exc}")]
    problems: list[Problem] = []
    for name in bpmn:
        for node, source, mode in _bpmn_snippets(trees[name]):
            if mode != "eval":
                continue
            calls, _ = _helper_calls(source)
            problems += [Problem(name, _owner_id(node), node.sourceline, message)
                         for call in calls for message in _call_problems(call, rules)]
        flagged = {(p.element_id, p.line) for p in problems}
        for node, source, kind in _expression_nodes(trees[name]):
            _, names = _helper_calls(source)
            if (names and not names <= ALLOWED_NAMES) or (_owner_id(node), node.sourceline) in flagged:
                continue  # depends on process data (checked when a case gets there), or reported
            message = _sample_value_problem(source, kind, rules)
            if message:
                problems.append(Problem(name, _owner_id(node), node.sourceline, message))
    return list(dict.fromkeys(problems))
