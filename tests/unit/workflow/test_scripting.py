"""Sandboxing of diagram expressions and scripts (app.workflow.scripting)."""

import builtins
from collections import UserDict
from datetime import date
from types import SimpleNamespace
from xml.sax.saxutils import escape

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from app.workflow.scripting import (
    DEFAULT_SAFE_NAMES,
    RestrictedEnvironment,
    ScriptProblem,
    check_source,
    is_safe,
    make_script_engine,
)

_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'id="defs" targetNamespace="http://example.org/onedoor">'
    '<bpmn:process id="proc" isExecutable="true">'
)
_TAIL = "</bpmn:process></bpmn:definitions>"


def _flow(flow_id: str, source: str, target: str, condition: str | None = None) -> str:
    cond = ""
    if condition is not None:
        cond = f"<bpmn:conditionExpression>{escape(condition)}</bpmn:conditionExpression>"
    return (
        f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">'
        f"{cond}</bpmn:sequenceFlow>"
    )


def _script(task_id: str, script: str) -> str:
    return (
        f'<bpmn:scriptTask id="{task_id}">'
        f"<bpmn:script>{escape(script)}</bpmn:script></bpmn:scriptTask>"
    )


def _chain_xml(*scripts: str) -> str:
    """start -> s0 -> s1 -> ... -> end."""
    ids = ["start", *(f"s{i}" for i in range(len(scripts))), "end"]
    body = ['<bpmn:startEvent id="start"/>', '<bpmn:endEvent id="end"/>']
    body += [_script(f"s{i}", script) for i, script in enumerate(scripts)]
    body += [_flow(f"f{i}", a, b) for i, (a, b) in enumerate(zip(ids, ids[1:], strict=False))]
    return _HEAD + "".join(body) + _TAIL


def _gateway_xml(condition: str) -> str:
    """setup script -> exclusive gateway -> big (condition) / small (default) -> end."""
    body = [
        '<bpmn:startEvent id="start"/>',
        '<bpmn:exclusiveGateway id="gw" default="to_small"/>',
        _script("big", 'route = "big"'),
        _script("small", 'route = "small"'),
        '<bpmn:endEvent id="end_big"/>',
        '<bpmn:endEvent id="end_small"/>',
        _flow("f0", "start", "gw"),
        _flow("to_big", "gw", "big", condition),
        _flow("to_small", "gw", "small"),
        _flow("f1", "big", "end_big"),
        _flow("f2", "small", "end_small"),
    ]
    return _HEAD + "".join(body) + _TAIL


def _run(xml: str, helpers: dict | None = None, data: dict | None = None) -> BpmnWorkflow:
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(xml.encode("utf-8"))
    engine = make_script_engine(helpers or {})
    workflow = BpmnWorkflow(parser.get_spec("proc"), script_engine=engine)
    workflow.get_next_task(spec_name="start").data.update(data or {})
    workflow.do_engine_steps()
    return workflow


# --- deploy-time checker -------------------------------------------------------------------

_BOTH = ("eval", "exec")
_REFUSED = [
    ("import os", ("exec",), "import"),
    ("from os import path", ("exec",), "import"),
    ("open('/etc/passwd')", _BOTH, "forbidden_name"),
    ("().__class__.__base__.__subclasses__()", _BOTH, "underscore"),
    ("__import__('os')", _BOTH, "underscore"),
    ("getattr(x, '__class__')", _BOTH, "forbidden_name"),
    ("eval('1')", _BOTH, "forbidden_name"),
    ("compile('1', 'f', 'eval')", _BOTH, "forbidden_name"),
    ("globals()", _BOTH, "forbidden_name"),
    ("type(x)", _BOTH, "forbidden_name"),
    ("f(_secret=1)", _BOTH, "underscore"),
    ("x.gi_frame", _BOTH, "restricted"),
    ("global y\ny = 1", ("exec",), "restricted"),
    ("amount >", _BOTH, "syntax"),
]


@pytest.mark.parametrize(
    ("source", "mode", "code"),
    [(src, mode, code) for src, modes, code in _REFUSED for mode in modes],
)
def test_check_source_refuses(source, mode, code):
    problems = check_source(source, mode)
    assert code in {p.code for p in problems}
    assert all(isinstance(p, ScriptProblem) and p.line == 1 for p in problems)
    assert not is_safe(source, mode)


@pytest.mark.parametrize(
    ("source", "needle"),
    [
        ("import os", "不允许导入模块 (import os)"),
        ("().__class__", "不允许访问以下划线开头的属性或名称: __class__"),
        ("open('x')", "不允许调用内置函数 open"),
    ],
)
def test_check_source_messages_are_chinese(source, needle):
    assert needle in [p.message for p in check_source(source, "exec")]


def test_check_source_reports_line_and_deduplicates():
    problems = check_source("a = 1\nb = ().__class__\nc = ().__class__", "exec")
    assert [(p.line, p.code) for p in problems] == [(2, "underscore"), (3, "underscore")]
    # RestrictedPython flags __class__ as well; only our message is kept.
    assert len(check_source("().__class__", "eval")) == 1


@pytest.mark.parametrize(
    ("source", "mode"),
    [
        ('amount > 1000 and category in ("劳动争议", "合同")', "eval"),
        ("\t  amount > 1000", "eval"),
        ('f"P{n}D"', "eval"),
        ("[x * 2 for x in items if x > 1]", "eval"),
        ("a, b = 1, 2\nfor _ in range(3):\n    a += 1\nd['k'] = a", "exec"),
        ("type = 'x'\nlabel = type + '1'", "exec"),
        ("x is 1", "eval"),
    ],
)
def test_check_source_accepts(source, mode):
    assert check_source(source, mode) == []
    assert is_safe(source, mode)


def test_builtin_names_read_as_data_are_accepted():
    """DMN inputs named `input` or `type` are task data, not builtins (issue 12, fault 4)."""
    assert check_source("type == '合同'", "eval") == []
    assert check_source("input > 3", "eval") == []
    assert {p.code for p in check_source("type(x)", "eval")} == {"forbidden_name"}


# --- run time, through SpiffWorkflow -------------------------------------------------------

_RUNTIME_BAD = [
    "import os\nleaked = os.getcwd()",
    "from os import path\nleaked = path.sep",
    "leaked = open('/etc/passwd').read()",
    "leaked = ().__class__.__base__.__subclasses__()",
    "leaked = __import__('os')",
    "x = 1\nleaked = getattr(x, '__class__')",
    "leaked = eval('1')",
    "leaked = '{0.__class__}'.format(1)",
]


@pytest.mark.parametrize("script", _RUNTIME_BAD)
def test_bad_script_fails_in_workflow(script, monkeypatch):
    opened = []
    real_open = builtins.open

    def spy(file, *args, **kwargs):
        opened.append(file)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy)
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(_chain_xml(script).encode("utf-8"))
    workflow = BpmnWorkflow(parser.get_spec("proc"), script_engine=make_script_engine({}))
    with pytest.raises(WorkflowException):
        workflow.do_engine_steps()
    assert "/etc/passwd" not in opened
    task = workflow.get_next_task(spec_name="s0")
    assert "leaked" not in task.data
    assert "x" not in task.data  # a failing script leaves the task data untouched


@pytest.mark.parametrize(
    "expression",
    [
        "open('/etc/passwd')",
        "().__class__.__base__.__subclasses__()",
        "__import__('os')",
        "getattr(1, '__class__')",
        "eval('1')",
        "x.gi_frame",
    ],
)
def test_bad_expression_fails_at_runtime(expression):
    env = RestrictedEnvironment({})
    with pytest.raises((SyntaxError, NameError, AttributeError)):
        env.evaluate(expression, {"x": (i for i in range(2))})


def test_bad_gateway_condition_fails_in_workflow():
    with pytest.raises(WorkflowException):
        _run(_gateway_xml("().__class__.__base__ is not None"))


def test_compile_failure_is_readable_syntax_error():
    env = RestrictedEnvironment({})
    with pytest.raises(SyntaxError) as info:
        env.execute("a = 1\nb = ().__class__", {})
    assert "__class__" in str(info.value)
    assert info.value.lineno == 2


# --- good code -----------------------------------------------------------------------------


_CONDITION = 'amount > 1000 and category in ("劳动争议", "合同")'


def _add_days(n):
    return date(2024, 1, 1).toordinal() + n


@pytest.mark.parametrize(
    ("expression", "data", "expected"),
    [
        (_CONDITION, {"amount": 1500, "category": "合同"}, True),
        (_CONDITION, {"amount": 999, "category": "合同"}, False),
        (_CONDITION, {"amount": 1500, "category": "其他"}, False),
        ("add_days(3)", {}, date(2024, 1, 1).toordinal() + 3),
        ('"abc".upper()', {}, "ABC"),
        ('d.get("k", 0) + 1', {"d": {}}, 1),
        ("[x * 2 for x in items if x > 1]", {"items": [1, 2, 3]}, [4, 6]),
        ('f"P{n}D"', {"n": 3}, "P3D"),
        ("case.amount", {"case": {"amount": 7}}, 7),
        ("obj.amount", {"obj": SimpleNamespace(amount=8)}, 8),
        ("some_date.year", {"some_date": date(2024, 5, 1)}, 2024),
        ("date(2024, 1, 31) + timedelta(days=1)", {}, date(2024, 2, 1)),
        ("sorted(v)[0] + len(v) + sum(v) + max(v)", {"v": [3, 1, 2]}, 1 + 3 + 6 + 3),
        ("\t  amount > 1", {"amount": 2}, True),
    ],
)
def test_good_expression(expression, data, expected):
    env = RestrictedEnvironment({"add_days": _add_days, **DEFAULT_SAFE_NAMES})
    before = dict(data)
    assert env.evaluate(expression, data) == expected
    assert data == before


def test_missing_attribute_raises_instead_of_none():
    env = RestrictedEnvironment({})
    with pytest.raises(AttributeError):
        env.evaluate("case.missing", {"case": {"amount": 1}})


@pytest.mark.parametrize(
    ("amount", "category", "route"),
    [(1500, "合同", "big"), (1500, "其他", "small"), (10, "合同", "small")],
)
def test_gateway_condition_routes(amount, category, route):
    workflow = _run(_gateway_xml(_CONDITION), data={"amount": amount, "category": category})
    assert workflow.is_completed()
    assert workflow.data["route"] == route


_GOOD_SCRIPT = """
a, (b, c) = 1, (2, 3)
x += 1
d["a"] = 1
total = 0
for k, v in pairs:
    total += v
due = add_days(2)
def double(n):
    return n * 2
doubled = [double(i) for i in range(3)]
label = f"P{x}D"
"""


def test_script_task_updates_task_data_without_leaking():
    data = {"x": 1, "d": {}, "pairs": [["p", 2], ["q", 3]]}
    workflow = _run(_chain_xml(_GOOD_SCRIPT), {"add_days": _add_days}, data)
    assert workflow.is_completed()
    data = workflow.get_next_task(spec_name="s0").data
    assert data == {
        "x": 2,
        "d": {"a": 1},
        "pairs": [["p", 2], ["q", 3]],
        "a": 1,
        "b": 2,
        "c": 3,
        "total": 5,
        "k": "q",
        "v": 3,
        "due": _add_days(2),
        "doubled": [0, 2, 4],
        "label": "P2D",
    }


def test_script_can_delete_task_data():
    env = RestrictedEnvironment({})
    data = {"keep": 1, "drop": 2}
    env.execute("del drop", data)
    assert data == {"keep": 1}


@pytest.mark.parametrize("name", ["add_days", "date"])
def test_helper_name_collision_raises(name):
    env = RestrictedEnvironment({"add_days": _add_days, **DEFAULT_SAFE_NAMES})
    with pytest.raises(ValueError, match=name):
        env.execute("y = 1", {name: "task data"})


def test_helper_names_may_not_start_with_underscore():
    with pytest.raises(ValueError):
        RestrictedEnvironment({"_getattr_": getattr})


@pytest.mark.parametrize(
    ("obj", "script"),
    [(SimpleNamespace(amount=0), "obj.amount = 1"), (UserDict(amount=0), "obj['amount'] = 1")],
)
def test_writes_to_foreign_objects_are_refused(obj, script):
    env = RestrictedEnvironment({})
    with pytest.raises(TypeError):
        env.execute(script, {"obj": obj})
    assert env.evaluate("obj.amount", {"obj": obj}) == 0
