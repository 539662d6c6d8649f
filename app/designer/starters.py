"""New processes: a blank canvas, a mediation ladder of N levels (the 四级七天 pattern), or a
吹哨 (the center names departments, each reports in with an opinion, then joint mediation).

Each starter is one BPMN text with its diagram layout, ready to open in the modeler; it uses
only lanes with assignment rules, forms and deadline rules that the app already deploys.
"""

from __future__ import annotations

import re
from html import escape

from app.errors import Conflict, ValidationFailed

PROCESS_ID = re.compile(r"^[a-z][a-z0-9_]{2,63}$")
# (lane, step name, deadline rule) from the bottom rung up, as in four_levels_seven_days.
LEVELS = [("网格员", "网格员调解", "four_levels.grid"),
          ("村调委会", "村（社区）调委会调解", "four_levels.village"),
          ("乡镇综治中心", "乡镇综治中心调解", "four_levels.township_center"),
          ("乡镇党委政府", "乡镇党委政府调解", "four_levels.township_government")]
HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
        'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
        'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
        'id="{pid}_definitions" targetNamespace="http://onedoor.example/processes">\n')
LANE_HEIGHT, STEP = 140, 260
Box = tuple[int, int, int, int]


def check_new(process_id: str, name: str, existing: set[str]) -> None:
    """Refuse a bad or taken process code, or a missing name."""
    errors = {}
    if not PROCESS_ID.match(process_id):
        errors["process_id"] = ["流程编码须以小写字母开头，只含小写字母、数字和下划线（3–64 位）"]
    if not name.strip():
        errors["name"] = ["请填写流程名称"]
    if errors:
        raise ValidationFailed("新建流程的信息有误", errors)
    if process_id in existing:
        raise Conflict(f"流程编码「{process_id}」已被使用")


def blank(process_id: str, name: str) -> str:
    """A process with only a start event: the designer draws the rest."""
    return (HEAD.format(pid=process_id)
            + f'  <bpmn:process id="{process_id}" name="{escape(name)}" isExecutable="true">\n'
            '    <bpmn:startEvent id="start" name="开始" />\n  </bpmn:process>\n'
            f'  <bpmndi:BPMNDiagram id="{process_id}_diagram">\n'
            f'    <bpmndi:BPMNPlane id="{process_id}_plane" bpmnElement="{process_id}">\n'
            '      <bpmndi:BPMNShape id="start_di" bpmnElement="start">'
            '<dc:Bounds x="200" y="160" width="36" height="36" /></bpmndi:BPMNShape>\n'
            '    </bpmndi:BPMNPlane>\n  </bpmndi:BPMNDiagram>\n</bpmn:definitions>\n')


def ladder(process_id: str, name: str, levels: int) -> str:
    """A mediation ladder: each level mediates within its deadline; resolved ends, else up."""
    if not 1 <= levels <= len(LEVELS):
        raise ValidationFailed("层级数须为 1 到 4", {"levels": ["层级数须为 1 到 4"]})
    nodes = ['    <bpmn:startEvent id="start" name="受理" />']
    flows: list[tuple[str, str, str, str | None, str]] = []
    bounds = {"start": (120, _lane_y(1, levels) + 52, 36, 36)}
    lanes: list[tuple[str, list[str]]] = []
    previous = "start"
    for index, (lane, step, rule) in enumerate(LEVELS[:levels], start=1):
        task, gate = f"level_{index}", f"level_{index}_result"
        nodes += [_task(task, step, rule),
                  f'    <bpmn:exclusiveGateway id="{gate}" name="本级化解？" default="{gate}_up" />']
        incoming = "to_level_1" if previous == "start" else f"{previous}_up"
        flows += [(incoming, previous, task, None, "未化解" if index > 1 else ""),
                  (f"{gate}_in", task, gate, None, ""),
                  (f"{gate}_done", gate, "resolved", 'result == "resolved"', "已化解")]
        y = _lane_y(index, levels)
        bounds[task] = (index * STEP, y + 30, 100, 80)
        bounds[gate] = (index * STEP + 150, y + 45, 50, 50)
        lanes.append((lane, [task, gate] + (["start"] if index == 1 else [])))
        previous = gate
    flows.append((f"{previous}_up", previous, "unresolved", None, "未化解"))
    nodes += ['    <bpmn:endEvent id="resolved" name="已化解" />',
              '    <bpmn:endEvent id="unresolved" name="未化解" />']
    end_x = (levels + 1) * STEP
    bounds["resolved"] = (end_x, _lane_y(levels, levels) + 20, 36, 36)
    bounds["unresolved"] = (end_x, _lane_y(levels, levels) + 90, 36, 36)
    lanes[-1][1].extend(["resolved", "unresolved"])
    lane_xml = "".join(
        f'      <bpmn:lane id="lane_{i}" name="{lane}">'
        + "".join(f"<bpmn:flowNodeRef>{ref}</bpmn:flowNodeRef>" for ref in refs) + "</bpmn:lane>\n"
        for i, (lane, refs) in enumerate(lanes, start=1))
    shapes = [_shape(f"lane_{i}", (60, _lane_y(i, levels), end_x + 40, LANE_HEIGHT), horizontal=True)
              for i in range(1, levels + 1)]
    shapes += [_shape(element, box) for element, box in bounds.items()]
    shapes += [_edge(flow_id, bounds[source], bounds[target]) for flow_id, source, target, _, _ in flows]
    return (HEAD.format(pid=process_id)
            + f'  <bpmn:process id="{process_id}" name="{escape(name)}" isExecutable="true">\n'
            + f'    <bpmn:laneSet id="{process_id}_lanes">\n{lane_xml}    </bpmn:laneSet>\n'
            + "\n".join(nodes + [_flow(*flow) for flow in flows]) + "\n  </bpmn:process>\n"
            + f'  <bpmndi:BPMNDiagram id="{process_id}_diagram">\n'
            + f'    <bpmndi:BPMNPlane id="{process_id}_plane" bpmnElement="{process_id}">\n'
            + "\n".join(shapes) + "\n    </bpmndi:BPMNPlane>\n  </bpmndi:BPMNDiagram>\n"
            + "</bpmn:definitions>\n")


# (lane, flow nodes) of the 吹哨 template, top to bottom: the lanes whistle.bpmn uses.
WHISTLE_LANES = [("综治中心调度", ["start", "whistle_call"]),
                 ("承办部门", ["department_reports"]),
                 ("县综治中心", ["joint_mediation", "end"])]
WHISTLE_BOUNDS = {"start": (160, 122, 36, 36), "whistle_call": (260, 100, 120, 80),
                  "department_reports": (440, 240, 120, 80), "joint_mediation": (620, 380, 120, 80),
                  "end": (800, 402, 36, 36)}
WHISTLE_FLOWS = [("f_call", "start", "whistle_call"), ("f_reports", "whistle_call", "department_reports"),
                 ("f_joint", "department_reports", "joint_mediation"), ("f_end", "joint_mediation", "end")]


def whistle(process_id: str, name: str) -> str:
    """A 吹哨: the center names the departments (whistle_call), each department reports in and
    gives an opinion (a parallel multi-instance call of whistle_report, one per department,
    collecting `opinions`), then the county center holds joint mediation."""
    lanes = "".join(
        f'      <bpmn:lane id="lane_{i}" name="{lane}">'
        + "".join(f"<bpmn:flowNodeRef>{ref}</bpmn:flowNodeRef>" for ref in refs) + "</bpmn:lane>\n"
        for i, (lane, refs) in enumerate(WHISTLE_LANES, start=1))
    nodes = [
        '    <bpmn:startEvent id="start" name="开始" />',
        _user_task("whistle_call", "吹哨：指定报到部门", "whistle_call", "whistle.call"),
        '    <bpmn:callActivity id="department_reports" name="部门报到并提出意见（每个部门一份）" '
        'calledElement="whistle_report"><bpmn:multiInstanceLoopCharacteristics isSequential="false">'
        '<bpmn:loopDataInputRef>departments</bpmn:loopDataInputRef>'
        '<bpmn:loopDataOutputRef>opinions</bpmn:loopDataOutputRef>'
        '<bpmn:inputDataItem id="reporting_department" name="reporting_department" />'
        '<bpmn:outputDataItem id="opinion" name="opinion" />'
        '</bpmn:multiInstanceLoopCharacteristics></bpmn:callActivity>',
        _user_task("joint_mediation", "联合调解", "mediation_result", "whistle.joint"),
        '    <bpmn:endEvent id="end" name="结束" />',
    ]
    shapes = [_shape(f"lane_{i}", (100, 60 + (i - 1) * LANE_HEIGHT, 800, LANE_HEIGHT), horizontal=True)
              for i in range(1, len(WHISTLE_LANES) + 1)]
    shapes += [_shape(element, box) for element, box in WHISTLE_BOUNDS.items()]
    shapes += [_edge(flow_id, WHISTLE_BOUNDS[source], WHISTLE_BOUNDS[target])
               for flow_id, source, target in WHISTLE_FLOWS]
    return (HEAD.format(pid=process_id)
            + f'  <bpmn:process id="{process_id}" name="{escape(name)}" isExecutable="true">\n'
            + f'    <bpmn:laneSet id="{process_id}_lanes">\n{lanes}    </bpmn:laneSet>\n'
            + "\n".join(nodes + [_flow(*flow) for flow in WHISTLE_FLOWS]) + "\n  </bpmn:process>\n"
            + f'  <bpmndi:BPMNDiagram id="{process_id}_diagram">\n'
            + f'    <bpmndi:BPMNPlane id="{process_id}_plane" bpmnElement="{process_id}">\n'
            + "\n".join(shapes) + "\n    </bpmndi:BPMNPlane>\n  </bpmndi:BPMNDiagram>\n"
            + "</bpmn:definitions>\n")


def _user_task(task_id: str, name: str, form: str, rule: str) -> str:
    return (f'    <bpmn:userTask id="{task_id}" name="{name}">'
            '<bpmn:extensionElements><spiffworkflow:properties>'
            f'<spiffworkflow:property name="formJsonSchemaFilename" value="{form}.json" />'
            f'<spiffworkflow:property name="formUiSchemaFilename" value="{form}.uischema.json" />'
            f'<spiffworkflow:property name="dueAt" value=\'rule_due("{rule}")\' />'
            '</spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>')


def _lane_y(index: int, levels: int) -> int:
    """Higher levels sit higher: level 1 in the bottom lane."""
    return 60 + (levels - index) * LANE_HEIGHT


def _edge(flow_id: str, source: tuple, target: tuple) -> str:
    sx, sy = source[0] + source[2], source[1] + source[3] // 2
    tx, ty = target[0], target[1] + target[3] // 2
    middle = (sx + tx) // 2
    points = [(sx, sy), (tx, ty)] if sy == ty else [(sx, sy), (middle, sy), (middle, ty), (tx, ty)]
    waypoints = "".join(f'<di:waypoint x="{x}" y="{y}" />' for x, y in points)
    return f'      <bpmndi:BPMNEdge id="{flow_id}_di" bpmnElement="{flow_id}">{waypoints}</bpmndi:BPMNEdge>'


def _task(task_id: str, name: str, rule: str) -> str:
    return (f'    <bpmn:userTask id="{task_id}" name="{name}">'
            '<bpmn:extensionElements><spiffworkflow:properties>'
            '<spiffworkflow:property name="formJsonSchemaFilename" value="mediation_result.json" />'
            f'<spiffworkflow:property name="dueAt" value=\'rule_due("{rule}")\' />'
            '</spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>')


def _flow(flow_id: str, source: str, target: str, condition: str | None = None, name: str = "") -> str:
    label = f' name="{name}"' if name else ""
    if condition is None:
        return f'    <bpmn:sequenceFlow id="{flow_id}"{label} sourceRef="{source}" targetRef="{target}" />'
    return (f'    <bpmn:sequenceFlow id="{flow_id}"{label} sourceRef="{source}" targetRef="{target}">'
            f'<bpmn:conditionExpression>{escape(condition, quote=False)}</bpmn:conditionExpression>'
            '</bpmn:sequenceFlow>')


def _shape(element: str, box: tuple, horizontal: bool = False) -> str:
    x, y, width, height = box
    flag = ' isHorizontal="true"' if horizontal else ""
    return (f'      <bpmndi:BPMNShape id="{element}_di" bpmnElement="{element}"{flag}>'
            f'<dc:Bounds x="{x}" y="{y}" width="{width}" height="{height}" /></bpmndi:BPMNShape>')
