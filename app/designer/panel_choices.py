"""What the modeler's properties panel offers to pick from: the forms a deploy of the draft would
publish, the rules of its deadline table, the lanes with assignment rules and the departments.

Each choice carries the value the panel writes (a form file name, a rule code, a lane name, a
department code) and the Chinese label it shows; the deploy checks judge the written values."""

from __future__ import annotations

import json
from typing import Any

from lxml import etree
from sqlalchemy import select

from app.designer import drafts
from app.extensions import db
from app.org.models import Department, LaneRule
from app.workflow.checks import BPMN
from app.workflow.registry import DEADLINE_DECISION


def _form_title(name: str, text: str) -> str:
    try:
        schema = json.loads(text)
    except json.JSONDecodeError:
        return name
    title = schema.get("title") if isinstance(schema, dict) else None
    return title if isinstance(title, str) and title.strip() else name


def _deadline_rules(dmn: dict[str, str]) -> list[dict[str, str]]:
    """(code, description) of every row of the `deadlines` table, in table order."""
    rules = []
    for text in dmn.values():
        try:
            root = etree.fromstring(text.encode("utf-8"))
        except etree.XMLSyntaxError:
            continue  # reported by the checks
        for decision in root.iter("{*}decision"):
            if decision.get("id") != DEADLINE_DECISION:
                continue
            for row in decision.iter("{*}rule"):
                cell = row.find("{*}inputEntry/{*}text")
                code = (cell.text or "").strip().strip('"') if cell is not None else ""
                if code:
                    label = (row.findtext("{*}description") or "").strip()
                    rules.append({"value": code, "label": label or code})
    return rules


def _definitions(texts: dict[str, str], tag: str, executable_only: bool) -> list[dict[str, str]]:
    """(id, name) of every process (or decision) the files define, by name."""
    found: dict[str, str] = {}
    for text in texts.values():
        try:
            root = etree.fromstring(text.encode("utf-8"))
        except etree.XMLSyntaxError:
            continue
        for node in root.iter(tag):
            if executable_only and node.get("isExecutable", "false").lower() != "true":
                continue
            if node.get("id"):
                found.setdefault(node.get("id"), node.get("name") or node.get("id"))
    return sorted(({"value": k, "label": v} for k, v in found.items()), key=lambda c: c["label"])


def panel_choices(draft_id: int) -> dict[str, Any]:
    """The choices for the draft's properties panel, as JSON-ready lists of {value, label}."""
    files = drafts.publishable(draft_id)
    forms = [{"value": name, "label": _form_title(name, text)}
             for name, text in sorted(files.forms.items()) if not name.endswith(".uischema.json")]
    ui_forms = []
    for name in sorted(files.forms):
        if name.endswith(".uischema.json"):
            base = name.removesuffix(".uischema.json") + ".json"
            ui_forms.append({"value": name, "label": _form_title(base, files.forms.get(base, "{}"))})
    lanes = [{"value": lane, "label": lane + (f"（{description}）" if description else "")}
             for lane, description in db.session.execute(
                 select(LaneRule.lane, LaneRule.description).order_by(LaneRule.id))]
    departments: dict[str, str] = {}
    for code, name in db.session.execute(select(Department.code, Department.name).order_by(Department.id)):
        departments.setdefault(code, name)
    contexts: dict[str, list[str]] = {}
    for name, text in files.forms.items():
        try:
            schema = json.loads(text)
        except json.JSONDecodeError:
            continue
        if isinstance(schema, dict) and isinstance(schema.get("x-context"), list):
            contexts[name] = [str(c.get("title", "")) for c in schema["x-context"] if isinstance(c, dict)]
    return {"forms": forms, "uiForms": ui_forms, "rules": _deadline_rules(files.dmn), "lanes": lanes,
            "departments": [{"value": code, "label": name} for code, name in departments.items()],
            "contexts": contexts,
            "processes": _definitions(files.bpmn, f"{BPMN}process", True),
            "decisions": _definitions(files.dmn, "{*}decision", False)}
