"""Checks for what a designer gets wrong that the engine accepts: a DMN output value outside
its column's allowed values, a decision-table rule an earlier rule always wins over, and an
exclusive gateway with no default whose conditions can all be false (the case would stop there).

Pure functions of the files; `check_design` is called from `checks.check_files`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping

from app.calendar.workdays import DAY_TYPES, UNITS
from app.workflow.checks import BPMN, Element, Problem

# The deadline table's units are read by the working-day calendar: nothing else is understood.
DEADLINE_DECISION = "deadlines"
DEADLINE_ALLOWED = {"unit": UNITS, "day_type": DAY_TYPES}
VALUE_LABELS = {"day": "天", "hour": "小时", "working": "工作日", "natural": "自然日"}
ANY = "any"
FIRST_HIT = ("UNIQUE", "FIRST", "PRIORITY", "ANY", None)


def check_design(bpmn_trees: Mapping[str, Element], dmn_trees: Mapping[str, Element]) -> list[Problem]:
    """Output values, reachable rules and gateways that can leave a case stuck."""
    problems: list[Problem] = []
    for name, root in dmn_trees.items():
        for decision in root.iter("{*}decision"):
            table = decision.find("{*}decisionTable")
            if table is not None:
                problems += _output_value_problems(name, decision, table)
                problems += _unreachable_rules(name, decision, table)
    for name, root in bpmn_trees.items():
        problems += _gateway_problems(name, root)
    return problems


def _label(value: object) -> str:
    return f"{value}（{VALUE_LABELS[value]}）" if value in VALUE_LABELS else str(value)


def _literal(text: str) -> object:
    try:
        return ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None


def _allowed_values(decision: Element, output: Element) -> frozenset[object] | None:
    """The column's allowed values: its DMN `outputValues`, or what the calendar reads."""
    listed = output.findtext("{*}outputValues/{*}text")
    if listed and listed.strip():
        value = _literal(f"({listed.strip()},)")
        if isinstance(value, tuple):
            return frozenset(v for v in value if not isinstance(v, tuple)) or None
    if decision.get("id") == DEADLINE_DECISION:
        return DEADLINE_ALLOWED.get(output.get("name"))
    return None


def _output_value_problems(name: str, decision: Element, table: Element) -> list[Problem]:
    outputs = table.findall("{*}output")
    allowed = [_allowed_values(decision, output) for output in outputs]
    problems = []
    for number, rule in enumerate(table.findall("{*}rule"), start=1):
        for output, choices, cell in zip(outputs, allowed, rule.findall("{*}outputEntry"), strict=False):
            text = (cell.findtext("{*}text") or "").strip()
            if choices is None or not text:
                continue
            value = _literal(text)
            if value not in choices:
                column = output.get("label") or output.get("name")
                shown = "、".join(_label(v) for v in sorted(choices, key=str))
                problems.append(Problem(name, cell.get("id"), cell.sourceline,
                                        f"「{decision.get('name')}」第 {number} 行「{column}」列的值"
                                        f"「{text.strip(chr(34))}」不在允许的取值中（只能是 {shown}）"))
    return problems


def _cell_values(text: str) -> frozenset[object] | str | None:
    """What an input cell matches: ANY, a set of literals, or None when it is an expression."""
    text = (text or "").strip()
    if text in ("", "-"):
        return ANY
    if text.startswith("?"):
        body = text[1:].strip()
        if body.startswith("in "):
            value = _literal(body[3:])
            return frozenset(value) if isinstance(value, tuple | list | set) else None
        if body.startswith("=="):
            text = body[2:]
        else:
            return None
    value = _literal(text)
    return None if value is None or isinstance(value, list | dict | set) else frozenset([value])


Cell = frozenset[object] | str | None


def _covers(earlier: list[Cell], later: list[Cell]) -> bool:
    """True when every input the later rule matches is matched by the earlier one."""
    for wide, narrow in zip(earlier, later, strict=False):
        if isinstance(wide, str):  # ANY, the only text value
            continue
        if wide is None or narrow is None or isinstance(narrow, str) or not narrow <= wide:
            return False
    return True


def _unreachable_rules(name: str, decision: Element, table: Element) -> list[Problem]:
    if table.get("hitPolicy", "UNIQUE").upper() not in FIRST_HIT:
        return []
    rules = table.findall("{*}rule")
    cells = [[_cell_values(c.findtext("{*}text")) for c in rule.findall("{*}inputEntry")]
             for rule in rules]
    problems = []
    for number, rule in enumerate(rules, start=1):
        winner = next((i for i in range(number - 1) if _covers(cells[i], cells[number - 1])), None)
        if winner is not None:
            problems.append(Problem(name, rule.get("id"), rule.sourceline,
                                    f"「{decision.get('name')}」第 {number} 行永远不会被用到："
                                    f"第 {winner + 1} 行已匹配它的全部输入"))
    return problems


# --------------------------------------------------------------------------- gateways

def _normal(source: str) -> str | None:
    try:
        return ast.dump(ast.parse(source.strip(), mode="eval").body)
    except SyntaxError:
        return None


def _negations(source: str) -> Iterable[str]:
    """Forms of `not (source)` to look for among the other conditions."""
    try:
        body = ast.parse(source.strip(), mode="eval").body
    except SyntaxError:
        return []
    found = [ast.dump(ast.UnaryOp(op=ast.Not(), operand=body))]
    if isinstance(body, ast.UnaryOp) and isinstance(body.op, ast.Not):
        found.append(ast.dump(body.operand))
    flips = {ast.Lt: ast.GtE, ast.GtE: ast.Lt, ast.Gt: ast.LtE, ast.LtE: ast.Gt,
             ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In,
             ast.Is: ast.IsNot, ast.IsNot: ast.Is}
    if isinstance(body, ast.Compare) and len(body.ops) == 1 and type(body.ops[0]) in flips:
        flipped = ast.Compare(left=body.left, ops=[flips[type(body.ops[0])]()],
                              comparators=body.comparators)
        found.append(ast.dump(flipped))
    return found


def _exhaustive(conditions: list[str]) -> bool:
    """True when two of the conditions are each other's negation (one of them always holds)."""
    normals = {_normal(c) for c in conditions}
    return any(negated in normals for c in conditions for negated in _negations(c))


def _gateway_problems(name: str, root: Element) -> list[Problem]:
    flows: dict[str, list[Element]] = {}
    for flow in root.iter(f"{BPMN}sequenceFlow"):
        flows.setdefault(flow.get("sourceRef"), []).append(flow)
    problems = []
    for tag, kind in (("exclusiveGateway", "排他网关"), ("inclusiveGateway", "包容网关")):
        for gateway in root.iter(f"{BPMN}{tag}"):
            outgoing = flows.get(gateway.get("id"), [])
            if len(outgoing) < 2 or gateway.get("default"):
                continue
            conditions = [(f.findtext(f"{BPMN}conditionExpression") or "").strip() for f in outgoing]
            if all(conditions) and not _exhaustive(conditions):
                label = gateway.get("name") or "未命名"
                problems.append(Problem(name, gateway.get("id"), gateway.sourceline,
                                        f"{kind}「{label}」没有默认路径，所有条件可能同时不成立，"
                                        "案件会停在这里：请把其中一条连线设为默认路径"))
    return problems
