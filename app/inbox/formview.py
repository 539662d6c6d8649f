"""Submitted form data read back as the form's own Chinese labels (for the case file and task context).

The same schema and UI hints that draw a form (formrender) name its values here: enum values become
their `ui:enumNames`/`oneOf` titles, booleans 是/否, nested objects and rows keep their titles.
Field names and codes never reach the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.cases.models import mask
from app.workflow.forms import enum_labels


@dataclass
class Entry:
    """One submitted value with its label; `children` for objects, `rows` for tables."""

    label: str
    text: str = ""
    children: list[Entry] = field(default_factory=list)
    rows: list[list[Entry]] = field(default_factory=list)


def is_personal(name: str, prop: Mapping[str, Any]) -> bool:
    """Whether a field holds personal data (ID number, phone) that is masked outside the handling scope."""
    return bool(prop.get("x-personal")) or name.endswith(("phone", "id_number"))


def _mask(name: str, text: str) -> str:
    return (mask(text, 6, 4) if name.endswith("id_number") else mask(text, 3, 4)) or text


def _text(name: str, prop: Mapping[str, Any], hints: Mapping[str, Any], value: Any,
          masked: bool) -> str:
    labels = enum_labels(prop, hints)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(labels.get(str(v), "（未知选项）") for v in value)
    if labels:
        return labels.get(str(value), "（未知选项）")
    text = str(value)
    return _mask(name, text) if masked and is_personal(name, prop) else text


def describe(schema: Mapping[str, Any], ui: Mapping[str, Any] | None, values: Mapping[str, Any],
             *, masked: bool = False, only: list[str] | None = None) -> list[Entry]:
    """Labelled entries for the filled-in values, in the form's order (`only` picks fields)."""
    ui = ui or {}
    props = schema.get("properties", {})
    order = [n for n in ui.get("ui:order", []) if n in props] + \
        [n for n in props if n not in ui.get("ui:order", [])]
    entries = []
    for name in order:
        if (only is not None and name not in only) or values.get(name) in (None, "", [], {}):
            continue
        entries.append(_entry(name, props[name], ui.get(name, {}), values[name], masked))
    return entries


def _entry(name: str, prop: Mapping[str, Any], hints: Mapping[str, Any], value: Any,
           masked: bool) -> Entry:
    label = str(prop.get("title") or "其他内容")
    if prop.get("type") == "object" and isinstance(value, Mapping):
        return Entry(label, children=describe(prop, hints, value, masked=masked))
    items = prop.get("items", {})
    if prop.get("type") == "array" and items.get("type") == "object":
        rows = [describe(items, hints.get("items", {}), row, masked=masked)
                for row in value if isinstance(row, Mapping)]
        return Entry(label, rows=rows)
    return Entry(label, _text(name, prop, hints, value, masked))


def plain(entries: list[Entry]) -> str:
    """Entries as one line of text (for PDFs and short summaries)."""
    parts = []
    for entry in entries:
        if entry.children:
            parts.append(f"{entry.label}：{plain(entry.children)}")
        elif entry.rows:
            parts.append(f"{entry.label}：" + "；".join(plain(row) for row in entry.rows))
        else:
            parts.append(f"{entry.label}：{entry.text}")
    return "；".join(parts)
