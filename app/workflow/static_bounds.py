"""Deploy-time refusal of the resource bombs that can be seen in the source.

What is visible is refused here with its line (`10**10**9`, `'x' * 10**9`, `while True`
without a `break`, `iter(f, sentinel)`); what is not is stopped at run time
(`app.workflow.limits`, `app.workflow.guards`).
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from typing import Any

from app.workflow.guards import TooLarge, binop, guarded_range
from app.workflow.limits import ScriptLimitExceeded

MAX_SOURCE_CHARS = int(os.environ.get("ONEDOOR_SCRIPT_MAX_SOURCE_CHARS", "20000"))
_UNKNOWN = object()
_FOLDED = {ast.Pow: "**", ast.Mult: "*", ast.LShift: "<<", ast.Add: "+", ast.Mod: "%"}


def _static(node: ast.AST) -> Any:
    """The value of a constant sub-expression, computed under the size guards."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        value = _static(node.operand)
        return -value if isinstance(value, int | float) else _UNKNOWN
    if isinstance(node, ast.BinOp) and type(node.op) in _FOLDED:
        left, right = _static(node.left), _static(node.right)
        if _UNKNOWN in (left, right):
            return _UNKNOWN
        try:
            return binop(_FOLDED[type(node.op)], left, right)
        except TooLarge:
            raise
        except Exception:  # noqa: BLE001 - e.g. 1 % 0: the run-time error is the designer's
            return _UNKNOWN
    return _UNKNOWN


def _breaks(loop: ast.While) -> bool:
    """True when the loop's own body (not a nested loop's) can leave it."""
    stack: list[ast.AST] = list(loop.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Break | ast.Return | ast.Raise):
            return True
        if not isinstance(node, ast.While | ast.For | ast.FunctionDef | ast.Lambda):
            stack.extend(ast.iter_child_nodes(node))
    return False


def _node_bomb(node: ast.AST, inner: set[int]) -> str | None:
    if isinstance(node, ast.Attribute) and node.attr == "mro":
        return "不允许访问 mro（会取到 Exception 以外的异常类，使后台服务退出）"
    if isinstance(node, ast.BinOp) and type(node.op) in _FOLDED and id(node) not in inner:
        try:
            _static(node)
        except ScriptLimitExceeded as exc:
            return str(exc)
    endless = isinstance(node, ast.While) and isinstance(node.test, ast.Constant) and node.test.value
    if endless and isinstance(node, ast.While) and not _breaks(node):
        return "无限循环：while 条件恒为真且循环体内没有 break"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        args = [_static(arg) for arg in node.args]
        if node.func.id == "iter" and len(args) > 1:
            return "不允许使用 iter(函数, 终止值) 形式（可能无限循环）"
        if node.func.id == "range" and args and all(isinstance(a, int) for a in args):
            try:
                guarded_range(*args)
            except (ScriptLimitExceeded, ValueError, TypeError) as exc:
                return str(exc)
    return None


def bombs(tree: ast.AST) -> Iterator[tuple[int | None, str]]:
    """(line, message) for every visible resource bomb in a parsed snippet."""
    nodes = list(ast.walk(tree))
    # Fold each chain of operators once, from its outermost node (a long chain stays linear).
    inner = {id(child) for node in nodes if isinstance(node, ast.BinOp)
             for child in (node.left, node.right) if isinstance(child, ast.BinOp)}
    for node in nodes:
        message = _node_bomb(node, inner)
        if message:
            yield getattr(node, "lineno", None), message
