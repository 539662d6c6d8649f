"""The BPMN parser OneDoor uses: SpiffWorkflow's, reading Camunda's multi-instance dialect too.

Camunda Modeler writes a multi-instance over a list as attributes,
`camunda:collection="departments" camunda:elementVariable="department"`, where BPMN has
`loopDataInputRef` and `inputDataItem` children. SpiffWorkflow's own CamundaParser reads
those attributes, but it also reads every other extension the Camunda way and would drop
the `spiffworkflow:properties` our forms, lanes and deadlines live in (the designer maps
Camunda properties onto those on upload); so the attributes are rewritten into their BPMN
form before the Spiff parser validates the file. The stored file is not changed.
"""

from __future__ import annotations

from typing import Any

from lxml import etree
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"


def _variable(expression: str) -> str:
    """`${departments}` or `departments` → `departments`."""
    text = expression.strip()
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1].strip()
    return text


def camunda_loops_to_bpmn(root: Any) -> int:
    """Rewrite Camunda multi-instance attributes into BPMN children; return how many."""
    rewritten = 0
    for loop in root.iter(f"{{{BPMN}}}multiInstanceLoopCharacteristics"):
        collection = loop.get(f"{{{CAMUNDA}}}collection")
        has_input = loop.find(f"{{{BPMN}}}loopDataInputRef") is not None
        if not collection or has_input or loop.find(f"{{{BPMN}}}loopCardinality") is not None:
            continue
        ref = etree.Element(f"{{{BPMN}}}loopDataInputRef")
        ref.text = _variable(collection)
        loop.insert(0, ref)
        element = loop.get(f"{{{CAMUNDA}}}elementVariable")
        if element and loop.find(f"{{{BPMN}}}inputDataItem") is None:
            # SpiffWorkflow names the child's variable after the item's id.
            item = etree.Element(f"{{{BPMN}}}inputDataItem", id=_variable(element),
                                 name=_variable(element))
            position = 2 if loop.find(f"{{{BPMN}}}loopDataOutputRef") is not None else 1
            loop.insert(position, item)
        rewritten += 1
    return rewritten


class OneDoorParser(SpiffBpmnParser):  # type: ignore[misc]  # SpiffWorkflow ships no type information
    """SpiffBpmnParser that also accepts Camunda's multi-instance collections."""

    def add_bpmn_xml(self, bpmn: Any, filename: str | None = None) -> None:
        """Rewrite Camunda loops, then parse as usual."""
        camunda_loops_to_bpmn(bpmn)
        super().add_bpmn_xml(bpmn, filename)
