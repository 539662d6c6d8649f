"""Turn a JSON Schema form (plus its optional UI hints) into HTML fields, and a post back into data.

Supported shapes: strings (text, textarea, date, date-time, tel, email), numbers, integers,
booleans, enums (select or radio, labels from `oneOf`/`ui:enumNames`), arrays of enum strings
(checkboxes), nested objects, and arrays of objects (a repeating table of rows).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator
from werkzeug.datastructures import MultiDict

from app.workflow.forms import (
    NOT_BEFORE,
    NOT_FUTURE,
    enum_labels,
    not_before_message,
    not_future_message,
)

EXTRA_ROWS = 1


@dataclass
class Field:
    """One input as the template draws it."""

    name: str
    label: str
    widget: str
    required: bool = False
    help: str = ""
    value: Any = None
    options: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)
    children: list[Field] = field(default_factory=list)
    rows: list[list[Field]] = field(default_factory=list)
    when: tuple[str, str] | None = None  # shown only while field [0] has value [1] (schema if/then)


def _rules(schema: Mapping[str, Any]) -> list[tuple[Mapping[str, Any], Mapping[str, Any]]]:
    """(if, then) pairs of the schema: its own `if`/`then` and each one inside `allOf`."""
    pairs = [(schema.get("if"), schema.get("then"))]
    pairs += [(rule.get("if"), rule.get("then")) for rule in schema.get("allOf", [])
              if isinstance(rule, Mapping)]
    return [(condition, then or {}) for condition, then in pairs if isinstance(condition, Mapping)]


def _shown_value(value: Any) -> str:
    """A condition's value as the page compares it: JSON spelling for booleans."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def conditions(schema: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """Fields the schema's `if`/`then` (its own or in `allOf`) requires only when another field
    has a given value: {"agreement": ("result", "resolved")}; the page shows them only then."""
    found: dict[str, tuple[str, str]] = {}
    always = set(schema.get("required", []))
    for condition, then in _rules(schema):
        consts = [(name, prop["const"]) for name, prop in condition.get("properties", {}).items()
                  if isinstance(prop, Mapping) and "const" in prop]
        if len(consts) != 1:
            continue
        name, value = consts[0]
        for field_name in set(then.get("required", [])) - always:
            found.setdefault(field_name, (name, _shown_value(value)))
    return found


def _options(prop: Mapping[str, Any], hints: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(value, Chinese label) of a choice field; `flask processes check` refuses a form whose
    choices lack labels, so the value itself is never shown in their place."""
    labels = enum_labels(prop, hints)
    items = prop.get("items", {})
    if "oneOf" in prop or "oneOf" in items:
        values = [o["const"] for o in prop.get("oneOf") or items["oneOf"]]
    else:
        values = prop.get("enum") or items.get("enum") or []
    return [(str(v), labels.get(str(v), "（未命名选项）")) for v in values]


def _widget(prop: Mapping[str, Any], hints: Mapping[str, Any]) -> str:
    kind, fmt = prop.get("type"), prop.get("format")
    if hints.get("ui:widget"):
        widget = str(hints["ui:widget"])
    elif "enum" in prop or "oneOf" in prop:
        widget = "radio" if len(_options(prop, hints)) <= 3 else "select"
    elif kind == "array":
        widget = "checkboxes" if "enum" in prop.get("items", {}) else "table"
    elif kind == "string":
        long_text = prop.get("maxLength", 0) > 200
        widget = {"date": "date", "date-time": "datetime", "email": "email"}.get(
            fmt or "", "textarea" if long_text else "text")
    else:
        widget = {"integer": "integer", "number": "number", "boolean": "checkbox",
                  "object": "group"}.get(str(kind), "text")
    return widget


def _attrs(prop: Mapping[str, Any]) -> dict[str, Any]:
    names = {"minimum": "min", "maximum": "max", "maxLength": "maxlength",
             "minLength": "minlength", "pattern": "pattern"}
    return {html: prop[key] for key, html in names.items() if key in prop}


def build_fields(schema: Mapping[str, Any], ui: Mapping[str, Any] | None,
                 values: Mapping[str, Any] | None, errors: Mapping[str, list[str]] | None,
                 prefix: str = "") -> list[Field]:
    """Fields for every property, in `ui:order` when given, with values and errors attached."""
    ui, values, errors = ui or {}, values or {}, errors or {}
    props = schema.get("properties", {})
    order = [n for n in ui.get("ui:order", []) if n in props] + \
        [n for n in props if n not in ui.get("ui:order", [])]
    required = set(schema.get("required", []))
    when = conditions(schema)
    fields = [_field(prefix + name, props[name], hints=ui.get(name, {}), value=values.get(name),
                     errors=errors, required=name in required)
              for name in order if not ui.get(name, {}).get("ui:hidden")]
    for item in fields:
        condition = when.get(item.name[len(prefix):])
        item.when = (prefix + condition[0], condition[1]) if condition else None
        item.attrs.update(_date_rules(props, item.name[len(prefix):], prefix))
    return fields


def _date_rules(props: Mapping[str, Any], name: str, prefix: str) -> dict[str, str]:
    """The schema's own date keywords as data attributes the page script reads (rows.js), with
    the server's messages: one rule set, checked in the page before it is checked again here."""
    prop, found = props[name], {}
    other = prop.get(NOT_BEFORE)
    if isinstance(other, str) and other in props:
        found["data-not-before"] = prefix + other
        found["data-not-before-message"] = not_before_message(
            prop.get("title") or name, props[other].get("title") or other)
    if prop.get(NOT_FUTURE) is True:
        found["data-not-future-message"] = not_future_message(prop.get("title") or name)
    return found


def _field(name: str, prop: Mapping[str, Any], *, hints: Mapping[str, Any], value: Any,
           errors: Mapping[str, list[str]], required: bool) -> Field:
    widget = _widget(prop, hints)
    result = Field(name=name, label=prop.get("title", name.rsplit(".", 1)[-1]), widget=widget,
                   required=required, help=hints.get("ui:help") or prop.get("description", ""),
                   value=value if value is not None else prop.get("default"),
                   options=_options(prop, hints), errors=list(errors.get(name, [])),
                   attrs=_attrs(prop))
    if widget == "group":
        result.children = build_fields(prop, hints, value or {}, errors, prefix=f"{name}.")
    if widget == "table":
        items = prop.get("items", {})
        existing = value if isinstance(value, list) else []
        count = max(len(existing) + EXTRA_ROWS, prop.get("minItems", 1))
        result.rows = [build_fields(items, hints.get("items", {}),
                                    existing[i] if i < len(existing) else {}, errors,
                                    prefix=f"{name}.{i}.")
                       for i in range(count)]
        for cell in (cell for row in result.rows for cell in row):
            if cell.widget == "radio":  # a table cell has room for a drop-down only
                cell.widget = "select"
        result.children = result.rows[0] if result.rows else []
    return result


def _coerce(prop: Mapping[str, Any], raw: str) -> Any:
    """Convert posted text to the schema's type; leave unconvertible text for the validator."""
    kind = prop.get("type")
    try:
        if kind == "integer":
            return int(raw)
        if kind == "number":
            return float(raw) if "." in raw else int(raw)
    except ValueError:
        return raw
    if kind == "boolean":
        return raw in {"on", "true", "1", "yes"}
    return raw


def parse_submission(schema: Mapping[str, Any], form: MultiDict, prefix: str = "") -> dict[str, Any]:
    """Rebuild nested data from dotted field names; empty inputs are left out."""
    data: dict[str, Any] = {}
    for name, prop in schema.get("properties", {}).items():
        key, kind = prefix + name, prop.get("type")
        if kind == "object":
            nested = parse_submission(prop, form, prefix=f"{key}.")
            if any(_filled(value) for value in nested.values()):
                data[name] = nested
        elif kind == "array" and "enum" in prop.get("items", {}):
            data[name] = form.getlist(key)
        elif kind == "array":
            rows = _parse_rows(prop.get("items", {}), form, key)
            if rows:
                data[name] = rows
        elif kind == "boolean":
            data[name] = _coerce(prop, form.get(key, ""))
        elif form.get(key, "").strip() != "":
            data[name] = _coerce(prop, form[key].strip())
    return drop_inactive_sections(schema, data) if not prefix else data


def drop_inactive_sections(schema: Mapping[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Leave out the sections the schema's `if`/`then` (its own or in `allOf`) asks for only when
    its condition holds (the agreement block of an unsuccessful mediation), so a prefilled or
    half-typed block that does not apply is not validated or kept."""
    always = set(schema.get("required", []))
    inactive: set[str] = set()
    for condition, then in _rules(schema):
        if not Draft202012Validator(condition).is_valid(data):
            inactive |= set(then.get("required", [])) - always
    return {key: value for key, value in data.items() if key not in inactive}


def _parse_rows(items: Mapping[str, Any], form: MultiDict, key: str) -> list[dict[str, Any]]:
    indexes = sorted({int(k[len(key) + 1:].split(".", 1)[0]) for k in form
                      if k.startswith(f"{key}.") and k[len(key) + 1:].split(".", 1)[0].isdigit()})
    rows = [parse_submission(items, form, prefix=f"{key}.{i}.") for i in indexes]
    return [row for row in rows if any(_filled(v) for v in row.values())]


def _filled(value: Any) -> bool:
    """Whether a parsed value says the user filled something in (an unticked box does not)."""
    return value not in ("", None, False, [], {})
