"""Guards against one C-level step building a huge value, and the compiler that inserts them.

A loop of Python code is stopped by the watchdog (`app.workflow.limits`); `10**10**9`,
`'x' * 10**9` or `'-'.ljust(10**9)` is one call into C that nothing can interrupt, so its
result size is worked out from its operands first and the operation refused when too big.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable
from typing import Any, TypeVar

from RestrictedPython import RestrictingNodeTransformer

from app.workflow import limits
from app.workflow.limits import ScriptLimitExceeded, check

_Sized = str | bytes | bytearray | list | tuple  # type: ignore[type-arg]  # isinstance() wants bare types
# A bound method of a str, bytes or int (its `__self__` is the value it was taken from).
Method = Any
N = TypeVar("N", bound=ast.AST)
_BINOPS: dict[type[ast.operator], str] = {
    ast.Pow: "**", ast.Mult: "*", ast.LShift: "<<", ast.Add: "+", ast.Mod: "%",
}
OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "**": operator.pow, "*": operator.mul, "<<": operator.lshift, "+": operator.add,
    "%": operator.mod,
}
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_FORMAT_WIDTH = re.compile(r"(\d+)")


class TooLarge(ScriptLimitExceeded):
    """One operation would build a value past the size limits."""

    reason = "运算结果过大"


def _refuse(what: str) -> None:
    raise TooLarge(f"运算结果过大（{what}），已拒绝执行")


def _int_bits(value: Any) -> int:
    return abs(value).bit_length() if isinstance(value, int) else 0


def _check_pow(base: Any, exponent: Any) -> None:
    big = isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and abs(base) > 1
    if big and _int_bits(base) * exponent > limits.LIMITS.max_int_bits:
        _refuse(f"整数超过 {limits.LIMITS.max_int_bits} 位")


def _check_mul(left: Any, right: Any) -> None:
    for seq, count in ((left, right), (right, left)):
        if isinstance(seq, _Sized) and isinstance(count, int) and len(seq) * count > limits.LIMITS.max_items:
            _refuse(f"长度超过 {limits.LIMITS.max_items}")
    if _int_bits(left) + _int_bits(right) > limits.LIMITS.max_int_bits:
        _refuse(f"整数超过 {limits.LIMITS.max_int_bits} 位")


def _check_percent(template: Any, values: Any) -> None:
    if not isinstance(template, str | bytes):
        return
    text = template if isinstance(template, str) else template.decode("latin-1")
    for width, precision in _PERCENT_SPEC.findall(text):
        if "*" in (width, precision):
            _refuse("% 格式中不允许用 * 指定宽度")
        if max(int(width or 0), int(precision or 0)) > limits.LIMITS.max_items:
            _refuse(f"宽度超过 {limits.LIMITS.max_items}")
    del values


def _check_binop(op: str, left: Any, right: Any) -> None:
    if op == "**":
        _check_pow(left, right)
    elif op == "*":
        _check_mul(left, right)
    elif op == "<<" and isinstance(right, int) and _int_bits(left) + right > limits.LIMITS.max_int_bits:
        _refuse(f"整数超过 {limits.LIMITS.max_int_bits} 位")
    elif op == "+" and isinstance(left, _Sized) and isinstance(right, _Sized):
        if len(left) + len(right) > limits.LIMITS.max_items:
            _refuse(f"长度超过 {limits.LIMITS.max_items}")
    elif op == "%":
        _check_percent(left, right)


def binop(op: str, left: Any, right: Any) -> Any:
    """`left op right` once its result is known to fit the limits."""
    _check_binop(op, left, right)
    return OPERATORS[op](left, right)


def guarded_pow(base: Any, exponent: Any, mod: Any = None) -> Any:
    """The `pow` builtin; three-argument pow is bounded by its modulus."""
    if mod is None:
        _check_pow(base, exponent)
        return pow(base, exponent)
    return pow(base, exponent, mod)


def guarded_range(*args: int) -> range:
    """`range`, refused past the item limit (`list(range(10**9))` is one C call)."""
    result = range(*args)
    if len(result) > limits.LIMITS.max_items:
        _refuse(f"range 长度超过 {limits.LIMITS.max_items}")
    return result


def guarded_iter(obj: Any, *sentinel: Any) -> Any:
    """`iter`, without the endless `iter(callable, sentinel)` form."""
    if sentinel:
        raise TypeError("不允许使用 iter(函数, 终止值) 形式")
    return iter(obj)


def guarded_format(value: Any, conversion: int, spec: str) -> str:
    """Back an f-string field with a format spec: the width must fit the limits."""
    if conversion in (ord("r"), ord("s"), ord("a")):
        converters: dict[int, Callable[[object], str]] = {ord("r"): repr, ord("s"): str, ord("a"): ascii}
        value = converters[conversion](value)
    if any(int(width) > limits.LIMITS.max_items for width in _FORMAT_WIDTH.findall(spec)):
        _refuse(f"格式宽度超过 {limits.LIMITS.max_items}")
    return format(value, spec)


def _padding(method: Method) -> Callable[..., Any]:
    def padded(width: Any, *args: Any) -> Any:
        if isinstance(width, int) and width > limits.LIMITS.max_items:
            _refuse(f"长度超过 {limits.LIMITS.max_items}")
        return method(width, *args)
    return padded


def _joining(method: Method) -> Callable[..., Any]:
    def joined(parts: Any) -> Any:
        parts = list(parts)
        separator = len(method.__self__) * max(len(parts) - 1, 0)
        if separator + sum(len(p) for p in parts if isinstance(p, _Sized)) > limits.LIMITS.max_items:
            _refuse(f"长度超过 {limits.LIMITS.max_items}")
        return method(parts)
    return joined


def _replacing(method: Method) -> Callable[..., Any]:
    def replaced(old: Any, new: Any, count: int = -1) -> Any:
        text = method.__self__
        hits = text.count(old) if count < 0 else min(count, text.count(old))
        if len(text) + hits * max(len(new) - len(old), 0) > limits.LIMITS.max_items:
            _refuse(f"长度超过 {limits.LIMITS.max_items}")
        return method(old, new, count)
    return replaced


def _tabs(method: Method) -> Callable[..., Any]:
    def expanded(tabsize: int = 8) -> Any:
        text = method.__self__
        tabs = text.count("\t" if isinstance(text, str) else b"\t")
        if len(text) + tabs * max(int(tabsize), 0) > limits.LIMITS.max_items:
            _refuse(f"长度超过 {limits.LIMITS.max_items}")
        return method(tabsize)
    return expanded


def _to_bytes(method: Method) -> Callable[..., Any]:
    def converted(length: int = 1, *args: Any, **kwargs: Any) -> Any:
        if isinstance(length, int) and length > limits.LIMITS.max_items:
            _refuse(f"长度超过 {limits.LIMITS.max_items}")
        return method(length, *args, **kwargs)
    return converted


_METHOD_GUARDS: dict[str, Callable[[Method], Callable[..., Any]]] = {
    "ljust": _padding, "rjust": _padding, "center": _padding, "zfill": _padding,
    "join": _joining, "replace": _replacing, "expandtabs": _tabs, "translate": _padding,
}


def guard_method(obj: Any, name: str, value: Any) -> Any:
    """Wrap the string and int methods that can build a huge value in one call."""
    if isinstance(obj, str | bytes | bytearray) and name in _METHOD_GUARDS:
        if name == "translate":
            return _translating(value)
        return _METHOD_GUARDS[name](value)
    if isinstance(obj, int) and name == "to_bytes":
        return _to_bytes(value)
    return value


def _translating(method: Method) -> Callable[..., Any]:
    def translated(table: Any, *args: Any) -> Any:
        values = table.values() if isinstance(table, dict) else ()
        longest = max((len(v) for v in values if isinstance(v, _Sized)), default=1)
        if len(method.__self__) * longest > limits.LIMITS.max_items:
            _refuse(f"长度超过 {limits.LIMITS.max_items}")
        return method(table, *args)
    return translated


RUNTIME_GUARDS: dict[str, Any] = {"_binop_": binop, "_check_": check, "_format_": guarded_format}


def _call(name: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=list(args), keywords=[])


class BoundedTransformer(RestrictingNodeTransformer):
    """RestrictedPython's policy plus size guards on operators and un-swallowable limits."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        """Route size-building operators through `_binop_`."""
        node = self.node_contents_visit(node)
        symbol = _BINOPS.get(type(node.op))
        if symbol is None:
            return node
        return _located(_call("_binop_", ast.Constant(symbol), node.left, node.right), node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        """An f-string field with a format spec goes through `_format_` (width check)."""
        node = self.node_contents_visit(node)
        if node.format_spec is None:
            return node
        call = _call("_format_", node.value, ast.Constant(node.conversion), node.format_spec)
        return _located(ast.FormattedValue(value=call, conversion=-1, format_spec=None), node)

    def visit_Try(self, node: ast.Try) -> ast.AST:
        """A script may catch a limit, but the next statement raises it again."""
        node = self.node_contents_visit(node)
        for handler in node.handlers:
            handler.body.insert(0, _check_statement(handler))
        if node.finalbody:
            node.finalbody.insert(0, _check_statement(node.finalbody[0]))
        return node


def _check_statement(where: ast.AST) -> ast.stmt:
    return _located(ast.Expr(value=_call("_check_")), where)


def _located(new: N, old: ast.AST) -> N:
    """`new` placed at `old`'s line, children included (compile() needs every location)."""
    return ast.fix_missing_locations(ast.copy_location(new, old))
