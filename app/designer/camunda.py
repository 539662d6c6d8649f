"""Diagrams saved by Camunda Modeler: map its extension properties onto ours.

Camunda Modeler writes custom properties as `camunda:properties/camunda:property`; our
engine reads `spiffworkflow:properties/spiffworkflow:property`. Properties with one of our
names are moved over, so a designer can work in Camunda Modeler's "Extension properties"
panel. `camunda:formKey="forms/x.json"` (or "x.json") becomes the form reference.
Everything else Camunda writes is left alone (the engine ignores other namespaces).
"""

from __future__ import annotations

from lxml import etree

CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
OUR_PROPERTIES = frozenset({"formJsonSchemaFilename", "formUiSchemaFilename", "dueAt",
                            "candidateDepartment", "candidateLane", "aboutDepartment",
                            "transferApproval"})


def normalize_bpmn(text: str) -> str:
    """Return `text` with Camunda properties moved to spiffworkflow ones (unchanged if none)."""
    if CAMUNDA not in text:
        return text
    try:
        root = etree.fromstring(text.encode("utf-8"))
    except etree.XMLSyntaxError:
        return text  # the checks report the syntax error with its line
    changed = False
    for element in list(root.iter(f"{{{BPMN}}}*")):
        found = _camunda_properties(element)
        if found:
            _write_spiff_properties(element, found)
            changed = True
    if not changed:
        return text
    etree.cleanup_namespaces(root, top_nsmap={"spiffworkflow": SPIFF})
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode("utf-8")


def _camunda_properties(element) -> dict[str, str]:
    """Our properties declared the Camunda way on `element` (removed from the tree)."""
    found: dict[str, str] = {}
    form_key = element.get(f"{{{CAMUNDA}}}formKey")
    if form_key and form_key.endswith(".json"):
        found["formJsonSchemaFilename"] = form_key.rsplit("/", 1)[-1]
        del element.attrib[f"{{{CAMUNDA}}}formKey"]
    extensions = element.find(f"{{{BPMN}}}extensionElements")
    if extensions is None:
        return found
    for group in extensions.findall(f"{{{CAMUNDA}}}properties"):
        for prop in group.findall(f"{{{CAMUNDA}}}property"):
            if prop.get("name") in OUR_PROPERTIES:
                found[prop.get("name")] = prop.get("value", "")
                group.remove(prop)
        if len(group) == 0:
            extensions.remove(group)
    return found


def _write_spiff_properties(element, found: dict[str, str]) -> None:
    extensions = element.find(f"{{{BPMN}}}extensionElements")
    if extensions is None:
        extensions = etree.Element(f"{{{BPMN}}}extensionElements")
        element.insert(_after_documentation(element), extensions)
    group = extensions.find(f"{{{SPIFF}}}properties")
    if group is None:
        group = etree.SubElement(extensions, f"{{{SPIFF}}}properties", nsmap={"spiffworkflow": SPIFF})
    for name, value in found.items():
        etree.SubElement(group, f"{{{SPIFF}}}property", name=name, value=value)


def _after_documentation(element) -> int:
    """extensionElements must follow documentation in the BPMN schema."""
    index = 0
    for i, child in enumerate(element):
        if child.tag == f"{{{BPMN}}}documentation":
            index = i + 1
    return index
