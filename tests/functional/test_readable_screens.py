"""Readable screens: every choice of every deployed form has a Chinese label, and no page a
handler reads shows a BPMN id, a form field name or a department code as text."""

import json
import re

from sqlalchemy import select

from app.extensions import db
from app.inbox.formrender import build_fields
from app.org.models import Department
from app.supervision.orders import open_order
from app.unit_of_work import run_unit
from app.workflow.models import Deployment, DeploymentFile, FileKind, HumanTask
from app.workflow.queries import ui_key
from tests.functional.test_case_file import FAILED_1, can_sign_in, visible_text
from tests.helpers import sign_in
from tests.processes.conftest import Desk  # noqa: F401 - fixtures

CJK = re.compile(r"[\u4e00-\u9fff]")


def _deployed_forms() -> list[tuple[str, dict, dict]]:
    files = db.session.execute(select(DeploymentFile.deployment_id, DeploymentFile.name,
                                      DeploymentFile.content)
                               .where(DeploymentFile.kind == FileKind.FORM)).all()
    by_name = {(d, n): json.loads(c) for d, n, c in files}
    return [(name, schema, by_name.get((dep, ui_key(name)), {}))
            for (dep, name), schema in by_name.items() if not name.endswith(".uischema.json")]


def _all_options(fields) -> list[tuple[str, str, str]]:
    found = []
    for f in fields:
        found += [(f.label, value, label) for value, label in f.options]
        found += _all_options(f.children)
        for row in f.rows:
            found += _all_options(row)
    return found


def test_every_choice_of_every_deployed_form_has_a_chinese_label(processes):  # noqa: F811
    forms = _deployed_forms()
    assert len({name for name, *_ in forms}) >= 20  # every form of processes/ was walked
    unlabelled = [(name, field, value) for name, schema, ui in forms
                  for field, value, label in _all_options(build_fields(schema, ui, {}, {}))
                  if not CJK.search(label) or label == value]
    assert unlabelled == []


def _forbidden_words() -> set[str]:
    """BPMN ids of tasks and processes, form field names and department codes."""
    words = set(db.session.scalars(select(HumanTask.bpmn_id)))
    words |= set(db.session.scalars(select(Deployment.process_id)))
    words |= set(db.session.scalars(select(Department.code)))
    for _name, schema, _ui in _deployed_forms():
        words |= _field_names(schema)
    return {w for w in words if len(w) > 3}


def _field_names(schema: dict) -> set[str]:
    names = set()
    for name, prop in schema.get("properties", {}).items():
        names.add(name)
        names |= _field_names(prop)
        names |= _field_names(prop.get("items", {}))
    return names


def _codes_on(client, url: str, words: set[str]) -> list[str]:
    text = visible_text(client.get(url).data.decode())
    return sorted(w for w in words if re.search(rf"(?<![A-Za-z_]){re.escape(w)}(?![A-Za-z_])", text))


def test_no_screen_shows_bpmn_ids_field_names_or_department_codes(
        client, no_csrf, processes, org, clock, handlers):  # noqa: F811
    can_sign_in("housing", "住建局承办人")  # the fixture's name for the user carries the code
    desk = Desk(org, clock)
    ladder = desk.open()
    desk.do(desk.task(ladder, "level_mediation"), "grid", FAILED_1)
    whistle = desk.open(category="requisition", risk_tier="red", title="征地补偿群体纠纷")
    desk.do(desk.task(whistle, "whistle_call"), "coordinator",
            {"departments": ["housing"], "whistle_note": "请住建局报到"})
    desk.do(desk.task(whistle, "report_in"), "housing", {"reporter": "住建报到人"})
    run_unit(lambda: open_order(desk.task(ladder, "level_mediation"), ladder.org_unit_id, 5, clock))
    labour = desk.open(category="labour", title="拖欠工资纠纷", amount=42000, people_count=3)
    words = _forbidden_words()
    assert {"level_mediation", "whistle_call", "hrss", "whistle_note"} <= words
    pages = {}
    for username, case in (("mediator", ladder), ("coordinator", whistle), ("supervisor", ladder),
                           ("hrss", labour)):
        sign_in(client, username)
        pages[f"{username} case"] = _codes_on(client, f"/cases/{case.code}", words)
        pages[f"{username} inbox"] = _codes_on(client, "/", words)
        for task in db.session.scalars(select(HumanTask).where(HumanTask.business_key == case.code)):
            pages[f"{username} {task.title}"] = _codes_on(client, f"/tasks/{task.id}", words)
    sign_in(client, "housing")
    [opinion] = [t for t in desk.tasks(whistle) if t.bpmn_id == "opinion_task"]
    client.post(f"/tasks/{opinion.id}/claim")
    pages["housing opinion claimed"] = _codes_on(client, f"/tasks/{opinion.id}", words)
    assert {page: found for page, found in pages.items() if found} == {}
