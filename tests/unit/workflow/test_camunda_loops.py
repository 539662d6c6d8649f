"""A Camunda Modeler multi-instance (`camunda:collection`) deploys and runs (issue 12, fault 4)."""

from pathlib import Path

from app.designer.camunda import normalize_bpmn
from app.workflow import engine, registry
from app.workflow.checks import check_files

CAMUNDA = Path(__file__).parents[2] / "fixtures" / "camunda"
DEPARTMENTS = ["公安", "司法", "信访"]


def _files() -> dict[str, str]:
    return {"department_opinions.bpmn":
            normalize_bpmn((CAMUNDA / "department_opinions.bpmn").read_text())}


def test_camunda_collection_passes_the_check():
    assert check_files(_files(), {}, {}) == []


def test_each_child_gets_its_element_and_our_properties_survive():
    specs = engine.parse_specs("department_opinions", _files(), {})
    workflow = engine.new_workflow(specs, {"departments": DEPARTMENTS}, registry.script_engine())
    engine.run_engine(workflow)
    ready = engine.ready_user_tasks(workflow)
    assert sorted(engine.task_data(workflow, t.id)["department"] for t in ready) == sorted(DEPARTMENTS)
    assert {t.properties.get("candidateDepartment") for t in ready} == {"department"}


def test_children_complete_in_a_fresh_parse_of_the_files():
    """Each step as if in another worker: state saved, files parsed anew, state loaded."""
    files = _files()
    workflow = engine.new_workflow(engine.parse_specs("department_opinions", files, {}),
                                   {"departments": DEPARTMENTS}, registry.script_engine())
    engine.run_engine(workflow)
    state = engine.serialize(workflow)
    for _ in DEPARTMENTS:
        workflow = engine.deserialize(engine.parse_specs("department_opinions", files, {}), state,
                                      registry.script_engine())
        first = engine.ready_user_tasks(workflow)[0]
        engine.complete_user_task(workflow, first.id, {"opinion": "同意"})
        state = engine.serialize(workflow)
    assert engine.is_completed(workflow)


def test_the_stored_file_is_left_as_uploaded():
    text = _files()["department_opinions.bpmn"]
    engine.parse_specs("department_opinions", {"d.bpmn": text}, {})
    assert "camunda:collection" in text
    assert "loopDataInputRef" not in text
