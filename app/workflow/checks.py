"""Check BPMN, DMN and form files before anything is deployed.

Every problem names the file, the element id and a line number, with a Chinese
explanation for designers. Expressions are not checked by SpiffWorkflow at parse
time, so every condition, script, timer, property expression and DMN cell is run
through the script-safety checker here. Two more passes run from `check_files`: what
designers get wrong that the engine accepts (app/workflow/design_checks.py), and timers and
deadlines evaluated on sample data (app/workflow/expression_checks.py).
"""

from __future__ import annotations

import ast
import json
import logging
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException

from app.workflow import engine
from app.workflow.forms import (
    FORM_SCHEMA_PROPERTY,
    FORM_UI_PROPERTY,
    date_rule_problems,
    off_vocabulary_enums,
    parse_form,
    unlabelled_enums,
)
from app.workflow.helpers import HELPERS
from app.workflow.scripting import DEFAULT_SAFE_NAMES, check_source

log = logging.getLogger("onedoor.checks")
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
EXPRESSION_PROPERTIES = ("dueAt", "candidateDepartment", "candidateLane")
# A user task whose 转办 needs the approval of the center coordinator of the case's area.
TRANSFER_APPROVAL_PROPERTY = "transferApproval"
TRANSFER_APPROVERS = ("coordinator",)
EXPRESSION_TAGS = ("conditionExpression", "timeDate", "timeDuration", "timeCycle", "loopCardinality",
                   "completionCondition", "messagePath", "loopCondition")
ALLOWED_NAMES = frozenset(HELPERS) | frozenset(DEFAULT_SAFE_NAMES)
# An lxml element (lxml ships no type information).
Element = Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file."""

    file: str
    element_id: str | None
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        element = f" [{self.element_id}]" if self.element_id else ""
        return f"{where}{element} {self.message}"


def _parse_xml(name: str, text: str, problems: list[Problem]) -> Element | None:
    try:
        return etree.fromstring(text.encode("utf-8"))
    except etree.XMLSyntaxError as exc:
        problems.append(Problem(name, None, exc.lineno, f"XML 格式错误: {exc.msg}"))
        return None


def _owner_id(node: Element) -> str | None:
    while node is not None:
        if node.get("id"):
            return str(node.get("id"))
        node = node.getparent()
    return None


def _line_of(root: Element, element_id: str | None) -> int | None:
    if root is None or not element_id:
        return None
    found = root.xpath("//*[@id=$id]", id=element_id)
    return found[0].sourceline if found else None


def _check_snippet(name: str, node: Element, source: str, mode: str, problems: list[Problem]) -> None:
    if source == _GLUED:
        problems.append(Problem(name, _owner_id(node), node.sourceline, _GLUED_MESSAGE))
        return
    for problem in check_source(source, mode, ALLOWED_NAMES):  # type: ignore[arg-type]
        offset = (problem.line - 1) if problem.line else 0
        line = (node.sourceline or 0) + offset or None
        problems.append(Problem(name, _owner_id(node), line, f"表达式不安全或有误: {problem.message}"))


def _bpmn_snippets(root: Element) -> Iterable[tuple[Element, str, str]]:
    """(node, source, mode) for every expression or script in a BPMN document."""
    for node in root.iter(f"{BPMN}script"):
        yield node, node.text or "", "exec"
    expressions = [f"{BPMN}{tag}" for tag in EXPRESSION_TAGS] + [f"{SPIFF}messagePayload"]
    for node in root.iter(*expressions):
        if (node.text or "").strip():
            yield node, node.text.strip(), "eval"
    for node in root.iter(f"{SPIFF}preScript", f"{SPIFF}postScript"):
        yield node, node.text or "", "exec"
    for node in root.iter(f"{SPIFF}property"):
        if node.get("name") in EXPRESSION_PROPERTIES and node.get("value"):
            yield node, node.get("value"), "eval"


_DMN_CELLS = frozenset({"inputExpression", "inputEntry", "outputEntry"})


def _dmn_snippets(root: Element) -> Iterable[tuple[Element, str, str]]:
    """(node, source, mode) for every expression cell of a DMN document (not annotations)."""
    for node in root.iter():
        if not isinstance(node.tag, str) or not node.tag.endswith("}text"):
            continue
        parent = node.getparent()
        kind = etree.QName(parent).localname if parent is not None else ""
        text = (node.text or "").strip()
        if kind in _DMN_CELLS and text and text != "-":
            yield node, _dmn_source(text, kind), "eval"


def _dmn_source(text: str, kind: str) -> str:
    """A DMN cell as the Python SpiffWorkflow's DMN engine evaluates.

    An input entry with `?` stands for the input value; one that is no expression by itself is
    a unary test (`< 25`, `>= 6`) appended to the input, as the engine does.
    """
    if kind != "inputEntry":
        return text
    if "?" in text:
        return text.replace("?", "cell_value")
    try:
        ast.parse(text, mode="eval")
    except SyntaxError:
        if text[0].isalpha() or text[0] == "_":
            # The engine glues the cell to the column without a space: `type` + `in (…)`
            # runs as `typein (…)`.
            return _GLUED
        return f"cell_value {text}"
    except (ValueError, RecursionError, MemoryError):
        pass  # check_source reports it
    return text


_GLUED = "\0glued"
_GLUED_MESSAGE = "表达式不安全或有误: 以 in、not 等单词开头的单元格会与输入列直接相连，请写成 ? in (...)"


def referenced_forms(root: Element) -> list[tuple[str, str | None, int | None]]:
    """(form file, element id, line) for every form a BPMN document references."""
    found: list[tuple[str, str | None, int | None]] = []
    for node in root.iter(f"{SPIFF}property"):
        if node.get("name") in (FORM_SCHEMA_PROPERTY, FORM_UI_PROPERTY) and node.get("value"):
            found.append((node.get("value"), _owner_id(node), node.sourceline))
    return found


def executable_processes(root: Element) -> list[str]:
    """Ids of the executable processes a BPMN document defines."""
    return [p.get("id") for p in root.iter(f"{BPMN}process")
            if p.get("isExecutable", "false").lower() == "true"]


def _check_forms(forms: Mapping[str, str], problems: list[Problem]) -> None:
    for name, text in forms.items():
        try:
            if name.endswith(".uischema.json"):
                json.loads(text)
            else:
                schema = parse_form(text, name)
                _check_enum_labels(name, schema, forms, problems)
                problems += [Problem(name, path, None, message)
                             for path, message in date_rule_problems(schema)]
        except json.JSONDecodeError as exc:
            problems.append(Problem(name, None, exc.lineno, f"JSON 格式错误: {exc.msg}"))
        except Exception as exc:  # noqa: BLE001 - jsonschema's SchemaError and our ValueError
            problems.append(Problem(name, None, None, f"表单不是有效的 JSON Schema: {exc}"))


def _check_enum_labels(name: str, schema: Mapping[str, Any], forms: Mapping[str, str],
                       problems: list[Problem]) -> None:
    """Every choice a user picks from must read in Chinese: refuse an enum value without a label
    (ui:enumNames in the paired .uischema.json, enumNames, or oneOf titles)."""
    ui_name = name[: -len(".json")] + ".uischema.json"
    try:
        ui = json.loads(forms[ui_name]) if ui_name in forms else {}
    except json.JSONDecodeError:
        ui = {}  # reported on its own file
    for path in unlabelled_enums(schema, ui if isinstance(ui, dict) else {}):
        problems.append(Problem(name, path, None, f"选项字段「{path}」有选项缺少中文标签"
                                "（在 ui:enumNames、enumNames 或 oneOf 的 title 中填写）"))
    for path, vocabulary, outside in off_vocabulary_enums(schema):  # vocabulary: its Chinese title
        problems.append(Problem(name, path, None, f"选项字段「{path}」的选项「{'、'.join(outside)}」"
                                f"不在「{vocabulary}」词表中，系统无法识别"))


def _spec_problem(exc: Exception, trees: Mapping[str, Element], default_file: str) -> Problem:
    """Turn a SpiffWorkflow parse error into a Problem, recovering the line from the id."""
    if isinstance(exc, ValidationException):
        file = exc.file_name or default_file
        line = exc.line_number or _line_of(trees.get(file), exc.id)
        return Problem(file, exc.id or None, int(line) if line else None,
                       f"流程定义有误: {exc}")
    if isinstance(exc, etree.LxmlError | SpiffWorkflowException):
        return Problem(default_file, None, getattr(exc, "lineno", None), f"流程定义有误: {exc}")
    log.warning("unexpected parser error in %s", default_file, exc_info=exc)
    return Problem(default_file, None, None, f"流程定义无法解析: {type(exc).__name__}: {exc}"[:500])


def check_files(bpmn: Mapping[str, str], dmn: Mapping[str, str], forms: Mapping[str, str],
                known_lanes: Collection[str] | None = None,
                parsed: dict[str, engine.LoadedSpecs] | None = None) -> list[Problem]:
    """Check a set of files as one bundle; an empty list means it may be deployed.

    Total: whatever the input, the answer is a list of problems, never an exception. Each file
    is parsed once; pass `parsed` to receive the specs of every executable process.
    """
    try:
        return _check_files(bpmn, dmn, forms, known_lanes, {} if parsed is None else parsed)
    except Exception as exc:  # noqa: BLE001 - a checker bug must read as a problem, not a 500
        log.exception("deploy check failed")
        first = next(iter({**bpmn, **dmn, **forms}), "")
        return [Problem(first, None, None, f"检查时出错，文件未通过检查: {type(exc).__name__}")]


def _check_files(bpmn: Mapping[str, str], dmn: Mapping[str, str], forms: Mapping[str, str],
                 known_lanes: Collection[str] | None, parsed: dict[str, engine.LoadedSpecs]) -> list[Problem]:
    problems: list[Problem] = []
    trees: dict[str, Element] = {}
    for name, text in {**bpmn, **dmn}.items():
        root = _parse_xml(name, text, problems)
        if root is None:
            continue
        trees[name] = root
        snippets = _bpmn_snippets(root) if name in bpmn else _dmn_snippets(root)
        for node, source, mode in snippets:
            _check_snippet(name, node, source, mode, problems)
    for name in bpmn:
        root = trees.get(name)
        if root is None:
            continue
        for form, element_id, line in referenced_forms(root):
            if form not in forms:
                problems.append(Problem(name, element_id, line, f"引用的表单文件「{form}」不存在"))
        if known_lanes is not None:
            _check_lanes(name, root, known_lanes, problems)
        problems.extend(transfer_approval_problems(name, root))
    _check_forms(forms, problems)
    from app.workflow.design_checks import check_design  # noqa: PLC0415 - it imports this module
    from app.workflow.expression_checks import check_expressions  # noqa: PLC0415 - it imports this module

    problems.extend(check_design({n: trees[n] for n in bpmn if n in trees},
                                 {n: trees[n] for n in dmn if n in trees}))
    if not problems:
        problems.extend(_check_specs(bpmn, dmn, trees, parsed)
                        or check_expressions(bpmn, dmn, trees))
    return problems


def transfer_approval_problems(name: str, root: Element) -> list[Problem]:
    """`transferApproval` belongs on a user task and names an approver we know ("coordinator")."""
    found: list[Problem] = []
    for node in root.iter(f"{SPIFF}property"):
        if node.get("name") != TRANSFER_APPROVAL_PROPERTY:
            continue
        owner = node.getparent().getparent().getparent()
        if owner is None or owner.tag != f"{BPMN}userTask":
            found.append(Problem(name, _owner_id(node), node.sourceline,
                                 "「转办需审批」只能设置在人工任务上"))
        elif (node.get("value") or "").strip() not in TRANSFER_APPROVERS:
            found.append(Problem(name, _owner_id(node), node.sourceline,
                                 "「转办需审批」的值须为 coordinator（由本案所在地区综治中心调度审批）"))
    return found


def _check_lanes(name: str, root: Element, known_lanes: Collection[str], problems: list[Problem]) -> None:
    for lane in root.iter(f"{BPMN}lane"):
        if lane.get("name") and lane.get("name") not in known_lanes:
            problems.append(Problem(name, lane.get("id"), lane.sourceline,
                                    f"泳道「{lane.get('name')}」没有对应的分派规则"))
    # A task sent to a fixed lane (candidateLane = "网格员", as the modeler's panel writes it).
    for node in root.iter(f"{SPIFF}property"):
        if node.get("name") == "candidateLane":
            lane = _string_literal(node.get("value") or "")
            if lane is not None and lane not in known_lanes:
                problems.append(Problem(name, _owner_id(node), node.sourceline,
                                        f"办理角色「{lane}」没有对应的分派规则"))


def _string_literal(source: str) -> str | None:
    """The string a bare string-literal expression means, or None for any other expression."""
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError):
        return None
    body = tree.body
    return body.value if isinstance(body, ast.Constant) and isinstance(body.value, str) else None


def _check_specs(bpmn: Mapping[str, str], dmn: Mapping[str, str], trees: Mapping[str, Element],
                 parsed: dict[str, engine.LoadedSpecs]) -> list[Problem]:
    """Parse every executable process with SpiffWorkflow (XSD and semantic checks), each file once."""
    problems: list[Problem] = []
    parser = engine.new_parser()
    for name, text in [*bpmn.items(), *dmn.items()]:
        try:
            add = parser.add_bpmn_str if name in bpmn else parser.add_dmn_str
            add(text.encode("utf-8"), filename=name)
        except Exception as exc:  # noqa: BLE001 - XSD, semantic or library errors alike
            problems.append(_spec_problem(exc, trees, name))
    if problems:
        return list(dict.fromkeys(problems))
    for name in bpmn:
        for process_id in executable_processes(trees[name]):
            try:
                parsed[process_id] = engine.LoadedSpecs(
                    process_id, parser.get_spec(process_id), parser.get_subprocess_specs(process_id))
            except Exception as exc:  # noqa: BLE001 - see above
                problems.append(_spec_problem(exc, trees, name))
    return list(dict.fromkeys(problems))
