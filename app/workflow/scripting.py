"""Sandboxed diagram expressions and scripts (RestrictedPython), plus a deploy-time checker."""

import ast
import builtins
import functools
import operator
import re
import warnings
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from types import CodeType
from typing import Any, Literal

from RestrictedPython import CompileResult, compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Guards import (
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
    safer_getattr_raise,
)
from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import TaskDataEnvironment

from app.workflow.guards import (
    OPERATORS,
    RUNTIME_GUARDS,
    BoundedTransformer,
    binop,
    guard_method,
    guarded_iter,
    guarded_pow,
    guarded_range,
)
from app.workflow.limits import bounded
from app.workflow.static_bounds import MAX_SOURCE_CHARS, bombs

Mode = Literal["eval", "exec"]

DEFAULT_SAFE_NAMES: dict[str, Any] = {
    "datetime": datetime,
    "date": date,
    "timedelta": timedelta,
    "timezone": timezone,
}

# safe_builtins ships guarded setattr/delattr and class support we don't want; the
# BaseException family would escape SpiffWorkflow's `except Exception` and kill a worker.
_DENIED_BUILTINS = frozenset({
    "__build_class__", "_getattr_", "setattr", "delattr",
    "BaseException", "SystemExit", "KeyboardInterrupt", "GeneratorExit",
})
_EXTRA_BUILTINS = (
    "len", "min", "max", "sum", "abs", "round", "sorted", "any", "all", "enumerate", "zip",
    "range", "list", "dict", "set", "frozenset", "tuple", "str", "int", "float", "bool",
    "isinstance", "reversed", "map", "filter", "iter", "next", "divmod",
)
SAFE_BUILTINS: dict[str, Any] = {
    **{k: v for k, v in safe_builtins.items() if k not in _DENIED_BUILTINS},
    **{name: getattr(builtins, name) for name in _EXTRA_BUILTINS},
    # One call into C each, so bounded before they run (see app.workflow.guards).
    "pow": guarded_pow, "range": guarded_range, "iter": guarded_iter,
}
# `Exception.mro()` reaches BaseException, which would escape every `except Exception`.
_DENIED_ATTRIBUTES = frozenset({"mro"})
_PYTHON_BUILTINS = frozenset(dir(builtins))
_INPLACE_OPS = {
    f"{symbol}=": getattr(operator, f"i{name}")
    for symbol, name in [
        ("+", "add"), ("-", "sub"), ("*", "mul"), ("/", "truediv"), ("%", "mod"),
        ("**", "pow"), ("<<", "lshift"), (">>", "rshift"), ("|", "or"), ("^", "xor"),
        ("&", "and"), ("//", "floordiv"), ("@", "matmul"),
    ]
}
_RP_LINE = re.compile(r"^Line (\d+|None): (.*)$", re.DOTALL)


def _guarded_getattr(obj: Any, name: str) -> Any:
    """Read a public attribute; on a mapping fall back to its key so `case.amount` works."""
    if name in _DENIED_ATTRIBUTES:
        raise AttributeError(f"不允许访问属性 {name}")
    try:
        # plain safer_getattr turns misses into None
        return guard_method(obj, name, safer_getattr_raise(obj, name))  # type: ignore[no-untyped-call]
    except AttributeError:
        if isinstance(obj, Mapping) and not name.startswith("_") and name in obj:
            return obj[name]
        raise


def _guarded_write(obj: Any) -> Any:
    """Allow item assignment only on plain containers (task data is JSON)."""
    if isinstance(obj, dict | list):
        return obj
    raise TypeError(f"不允许修改 {type(obj).__name__} 类型的对象")


def _inplace(op: str, target: Any, value: Any) -> Any:
    """Back `x += y` and friends, which RestrictedPython rewrites into a call."""
    if op[:-1] in OPERATORS:
        return binop(op[:-1], target, value)  # size-checked; lists are rebound, not mutated
    return _INPLACE_OPS[op](target, value)


def _apply(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Back calls using *args / **kwargs, which RestrictedPython rewrites into a call."""
    return func(*args, **kwargs)


_GUARDS: dict[str, Any] = {
    "__builtins__": SAFE_BUILTINS,
    "_getattr_": _guarded_getattr,
    "_getitem_": operator.getitem,
    "_getiter_": iter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": _guarded_write,
    "_inplacevar_": _inplace,
    "_apply_": _apply,
    **RUNTIME_GUARDS,
}


@functools.lru_cache(maxsize=4096)
def _restricted(source: str, mode: Mode) -> CompileResult:
    """Compile with RestrictedPython, cached per source; its warnings list is informational."""
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    # Designer code like `x is 1` makes CPython warn, which must not fail a run (cache misses
    # only, so the thread-unsafety of catch_warnings is tolerable).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compiler(source, filename="<string>", policy=BoundedTransformer)


def _split_error(error: str) -> tuple[int | None, str]:
    """Split RestrictedPython's "Line N: text" into (N, text)."""
    match = _RP_LINE.match(error)
    if not match:
        return None, error
    line, text = match.groups()
    return (None if line == "None" else int(line)), text


def _compile(source: str, mode: Mode) -> CodeType:
    """Code object for source, or SyntaxError carrying a line SpiffWorkflow can report."""
    try:
        result = _restricted(source, mode)
    except (RecursionError, MemoryError, ValueError) as exc:
        raise SyntaxError(f"代码无法编译: {type(exc).__name__}", ("<string>", 0, 0, None)) from None
    if result.errors or result.code is None:
        line, _ = _split_error(result.errors[0]) if result.errors else (None, "")
        message = "代码未通过安全检查: " + "; ".join(result.errors)
        # SpiffWorkflow reads err.lineno and compares it with 0, so it must be an int.
        raise SyntaxError(message, ("<string>", line or 0, 0, None))
    return result.code


def _eval_source(source: str) -> str:
    """Drop the leading blanks eval() drops, keeping parity with stock SpiffWorkflow."""
    return source.lstrip(" \t")


class RestrictedEnvironment(TaskDataEnvironment):  # type: ignore[misc]  # SpiffWorkflow ships no types
    """Task-data environment running every expression and script under RestrictedPython."""

    def __init__(self, helpers: Mapping[str, Callable[..., Any]]) -> None:
        hidden = sorted(name for name in helpers if name.startswith("_"))
        if hidden:
            raise ValueError(f"helper names may not start with '_': {hidden}")
        super().__init__(dict(helpers))

    def evaluate(self, expression: str, context: dict[str, Any],
                 external_context: dict[str, Any] | None = None) -> Any:
        """Evaluate an expression against task data."""
        code = _compile(_eval_source(expression), "eval")
        self._prepare_context(context)
        # Guards go last so task data can never shadow them.
        scope = {**self.globals, **(external_context or {}), **context, **_GUARDS}
        with bounded():
            return eval(code, scope)  # noqa: S307 - code was compiled by RestrictedPython

    def execute(self, script: str, context: dict[str, Any],
                external_context: dict[str, Any] | None = None) -> bool:
        """Run a script; its new and changed variables become the task data."""
        external_context = external_context or {}
        self.check_for_overwrite(context, external_context)
        code = _compile(script, "exec")
        self._prepare_context(context)
        # Run on a copy so a script that fails half way leaves the task data untouched.
        scope = {**context, **self.globals, **external_context, **_GUARDS}
        with bounded():
            exec(code, scope)  # noqa: S102 - code was compiled by RestrictedPython
        for name in _GUARDS:
            scope.pop(name, None)
        self._remove_globals_and_functions_from_context(scope, external_context)
        context.clear()
        context.update(scope)
        return True


def make_script_engine(helpers: Mapping[str, Callable[..., Any]]) -> PythonScriptEngine:
    """A SpiffWorkflow script engine whose code runs sandboxed with the given helpers."""
    return PythonScriptEngine(environment=RestrictedEnvironment(helpers))


@dataclass(frozen=True)
class ScriptProblem:
    """One reason a snippet is refused at deploy time."""

    message: str
    line: int | None
    code: str


_Found = tuple[ScriptProblem, str]  # the problem and the word RestrictedPython would cite


def _identifiers(node: ast.AST) -> Iterator[str]:
    """Identifiers a node binds or reads (names, attributes, keywords, parameters)."""
    for field in ("id", "attr", "arg", "name", "asname", "rest"):
        value = getattr(node, field, None)
        if isinstance(value, str):
            yield value


def _node_problems(node: ast.AST, allowed: Collection[str], calls: set[int]) -> list[_Found]:
    """Problems found on a single AST node."""
    line = getattr(node, "lineno", None)
    if isinstance(node, ast.Import | ast.ImportFrom):
        return [(ScriptProblem(f"不允许导入模块 ({ast.unparse(node)})", line, "import"), "import")]
    if isinstance(node, ast.Global | ast.Nonlocal):
        word = "global" if isinstance(node, ast.Global) else "nonlocal"
        return [(ScriptProblem(f"不允许使用 {word} 语句", line, "restricted"), word)]
    found = [
        (ScriptProblem(f"不允许访问以下划线开头的属性或名称: {ident}", line, "underscore"), ident)
        for ident in _identifiers(node)
        if ident.startswith("_") and ident != "_"  # bare `_` is the throwaway name; RP allows it
    ]
    name = node.id if isinstance(node, ast.Name) else None
    # Only a call is refused: a name read is task data (DMN inputs named `input`, `type`),
    # and the sandbox's builtins hold none of the dangerous ones anyway.
    if name in _PYTHON_BUILTINS and name not in allowed and not found and id(node) in calls:
        found.append((ScriptProblem(f"不允许调用内置函数 {name}", line, "forbidden_name"), name))
    return found


def _ast_problems(tree: ast.AST, allowed_names: Collection[str]) -> list[_Found]:
    """Walk the tree and collect our own (Chinese) problems."""
    # Source order (innermost attribute first) reads better than ast.walk's breadth-first order.
    nodes = sorted(
        ast.walk(tree), key=lambda n: (getattr(n, "lineno", 0), getattr(n, "end_col_offset", 0))
    )
    # Names the snippet binds itself (or the caller supplies) are data, not builtins.
    bound = {n.id for n in nodes if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    bound |= {n.arg for n in nodes if isinstance(n, ast.arg)}
    bound |= {n.name for n in nodes if isinstance(n, ast.FunctionDef | ast.ClassDef)}
    allowed = set(SAFE_BUILTINS) | set(allowed_names) | bound
    calls = {id(n.func) for n in nodes if isinstance(n, ast.Call)}
    return [found for node in nodes for found in _node_problems(node, allowed, calls)]


def _restricted_problems(source: str, mode: Mode, found: list[_Found]) -> list[ScriptProblem]:
    """RestrictedPython's errors, minus those repeating one of ours on the same line."""
    problems = []
    for error in _restricted(source, mode).errors:
        line, text = _split_error(error)
        if any(p.line == line and word.lower() in text.lower() for p, word in found):
            continue
        problems.append(ScriptProblem(f"受限 Python 不允许: {text}", line, "restricted"))
    return problems


def check_source(
    source: str, mode: Mode, allowed_names: Collection[str] = ()
) -> list[ScriptProblem]:
    """Reasons a diagram expression (eval) or script (exec) is unsafe; empty when fine."""
    if mode == "eval":
        source = _eval_source(source)
    if len(source) > MAX_SOURCE_CHARS:
        return [ScriptProblem(f"代码过长（{len(source)} 个字符，上限 {MAX_SOURCE_CHARS}）", 1, "size")]
    try:
        return _checked(source, mode, allowed_names)
    except SyntaxError as err:
        return [ScriptProblem(f"语法错误: {err.msg}", err.lineno, "syntax")]
    except (RecursionError, MemoryError):
        return [ScriptProblem("代码嵌套过深或过于复杂，无法检查", 1, "size")]
    except ValueError as err:  # e.g. a NUL character in the source
        return [ScriptProblem(f"代码无法解析: {err}", 1, "syntax")]


def _checked(source: str, mode: Mode, allowed_names: Collection[str]) -> list[ScriptProblem]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = ast.parse(source, mode=mode)
    found = _ast_problems(tree, allowed_names)
    problems = [problem for problem, _ in found] + _restricted_problems(source, mode, found)
    problems += [ScriptProblem(message, line, "bounds") for line, message in bombs(tree)]
    problems.sort(key=lambda p: p.line or 0)
    return list(dict.fromkeys(problems))


def is_safe(source: str, mode: Mode) -> bool:
    """True when check_source finds nothing."""
    return not check_source(source, mode)
