"""Open311 answers as JSON or XML (the format is the URL's extension, as the spec has it)."""

from collections.abc import Iterable, Mapping
from typing import Any
from xml.etree import ElementTree as ET

from flask import Response, jsonify

XML = "text/xml; charset=utf-8"


def _element(tag: str, value: Any) -> ET.Element:
    node = ET.Element(tag)
    if isinstance(value, Mapping):
        for key, inner in value.items():
            node.append(_element(key, inner))
    elif isinstance(value, list):
        singular = {"endpoints": "endpoint", "formats": "format"}.get(tag, "item")
        for inner in value:
            node.append(_element(singular, inner))
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    elif value is not None:
        node.text = str(value)
    return node


def render(fmt: str, value: Any, *, root: str, item: str | None = None, status: int = 200) -> Response:
    """`value` (a list of `item`s, or one mapping) as JSON or as XML under `root`."""
    if fmt == "json":
        response = jsonify(value)
    else:
        node = ET.Element(root)
        if item is None:
            node = _element(root, value)
        else:
            for entry in value:
                node.append(_element(item, entry))
        body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(node, encoding="utf-8")
        response = Response(body, mimetype="text/xml", content_type=XML)
    response.status_code = status
    return response


def errors(fmt: str, status: int, messages: Iterable[str]) -> Response:
    """The spec's error list: [{code, description}]."""
    return render(fmt, [{"code": status, "description": m} for m in messages], root="errors", item="error",
                  status=status)
