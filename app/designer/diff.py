"""What changed between two versions: files, BPMN elements, form properties and DMN rows."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from app.workflow.deploy import FileSet

DI_NAMESPACES = ("http://www.omg.org/spec/BPMN/20100524/DI", "http://www.omg.org/spec/DD/20100524/DC",
                 "http://www.omg.org/spec/DD/20100524/DI", "https://www.omg.org/spec/DMN/20191111/DMNDI/")
ADDED, REMOVED, CHANGED = "added", "removed", "changed"
KIND_LABELS = {ADDED: "新增", REMOVED: "删除", CHANGED: "修改"}
# What designers call the BPMN attributes, child elements and our properties a change touches.
FIELD_LABELS = {
    "@name": "名称", "@default": "默认路径", "@sourceRef": "起点", "@targetRef": "终点",
    "@isExecutable": "可执行", "@calledElement": "调用的流程", "@attachedToRef": "附着于",
    "@cancelActivity": "是否中断", "@processRef": "流程", "@scriptFormat": "脚本语言",
    "@messageRef": "消息", "@isSequential": "串行", "@label": "列标题", "@typeRef": "类型",
    "@hitPolicy": "命中策略", "类型": "类型", "conditionExpression": "条件", "script": "脚本",
    "timeDate": "定时", "timeDuration": "时长", "timeCycle": "循环定时", "documentation": "说明",
    "incoming": "入线", "outgoing": "出线", "flowNodeRef": "泳道内环节", "loopCardinality": "循环次数",
    "completionCondition": "完成条件", "messagePath": "消息内容", "calledDecisionId": "调用的决策",
    "preScript": "前置脚本", "postScript": "后置脚本", "messageVariable": "消息变量",
}
PROPERTY_LABELS = {"dueAt": "办理期限", "formJsonSchemaFilename": "表单文件",
                   "formUiSchemaFilename": "表单显示提示文件", "candidateLane": "按数据分派的泳道",
                   "candidateDepartment": "承办部门", "aboutDepartment": "所涉部门",
                   "transferApproval": "转办需审批"}
TYPE_LABELS = {
    "userTask": "人工任务", "serviceTask": "服务任务", "scriptTask": "脚本任务",
    "businessRuleTask": "规则任务",
    "task": "任务", "sendTask": "发送任务", "receiveTask": "接收任务", "manualTask": "手工任务",
    "callActivity": "调用子流程", "subProcess": "子流程", "startEvent": "开始事件", "endEvent": "结束事件",
    "intermediateCatchEvent": "中间捕获事件", "intermediateThrowEvent": "中间抛出事件",
    "boundaryEvent": "边界事件", "exclusiveGateway": "排他网关", "inclusiveGateway": "包容网关",
    "parallelGateway": "并行网关", "eventBasedGateway": "事件网关", "sequenceFlow": "连线",
    "lane": "泳道", "laneSet": "泳道集", "process": "流程", "participant": "池", "collaboration": "协作",
    "messageFlow": "消息流", "textAnnotation": "文本注释", "association": "关联", "message": "消息",
    "timerEventDefinition": "定时", "messageEventDefinition": "消息", "errorEventDefinition": "错误",
    "signalEventDefinition": "信号", "terminateEventDefinition": "终止", "extensionElements": "扩展属性",
    "input": "输入列", "output": "输出列",
}
ID_FIELDS = ("@default", "@sourceRef", "@targetRef", "@attachedToRef", "incoming", "outgoing",
             "flowNodeRef", "@processRef")


def field_label(name: str) -> str:
    """A changed field in Chinese (attribute, child element or one of our properties)."""
    if name.startswith("属性 "):
        prop = name[3:]
        return f"属性「{PROPERTY_LABELS.get(prop, prop)}」"
    return FIELD_LABELS.get(name, name)


@dataclass
class Change:
    """One added, removed or changed thing, with readable details."""

    file: str
    key: str
    kind: str
    label: str = ""
    details: list[str] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        """新增 / 删除 / 修改."""
        return KIND_LABELS[self.kind]


@dataclass
class VersionDiff:
    """Every difference between two bundles."""

    files: list[Change] = field(default_factory=list)
    elements: list[Change] = field(default_factory=list)
    rules: list[Change] = field(default_factory=list)
    forms: list[Change] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when the bundles are identical."""
        return not self.files


def diff_bundles(old: FileSet, new: FileSet) -> VersionDiff:
    """Compare two bundles file by file, then inside each changed file."""
    result = VersionDiff()
    for attr, compare, target in (("bpmn", _diff_bpmn, result.elements),
                                  ("dmn", _diff_dmn, result.rules),
                                  ("forms", _diff_form, result.forms)):
        before, after = getattr(old, attr), getattr(new, attr)
        for name in sorted(set(before) | set(after)):
            if before.get(name) == after.get(name):
                continue
            kind = ADDED if name not in before else REMOVED if name not in after else CHANGED
            result.files.append(Change(name, name, kind))
            target.extend(compare(name, before.get(name, ""), after.get(name, "")))
    return result


def _changes(file: str, before: Mapping[str, tuple[str, dict]],
             after: Mapping[str, tuple[str, dict]]) -> list[Change]:
    """Keyed signatures → changes with a line per differing field."""
    found = []
    names = {key: label for key, (label, _) in {**before, **after}.items()}
    for key in sorted(set(before) | set(after)):
        if key not in before:
            found.append(Change(file, key, ADDED, after[key][0]))
        elif key not in after:
            found.append(Change(file, key, REMOVED, before[key][0]))
        elif before[key] != after[key]:
            old, new = before[key][1], after[key][1]
            details = [f"{field_label(name)}：{_shown(name, old.get(name), names)} → "
                       f"{_shown(name, new.get(name), names)}"
                       for name in sorted(set(old) | set(new)) if old.get(name) != new.get(name)]
            found.append(Change(file, key, CHANGED, after[key][0], details))
    return found


def _shown(name: str, value: Any, names: Mapping[str, str]) -> str:
    """A value as read: element ids by their names, element types in Chinese."""
    if name == "类型" and isinstance(value, str):
        return TYPE_LABELS.get(value, value)
    if name in ID_FIELDS and value is not None:
        ids = value if isinstance(value, list) else [value]
        return "、".join(f"「{names.get(i, i)}」" for i in ids)
    return _short(value)


def _short(value: Any) -> str:
    if value is None:
        return "（无）"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "…"


def _root(text: str):
    try:
        return etree.fromstring(text.encode("utf-8")) if text else None
    except etree.XMLSyntaxError:
        return None


def _local(tag: str) -> str:
    return etree.QName(tag).localname


def _owner(node):
    node = node.getparent()
    while node is not None and not node.get("id"):
        node = node.getparent()
    return node


def _bpmn_signatures(text: str) -> dict[str, tuple[str, dict]]:
    """Element id → (label, {field: value}) over process elements (diagram layout ignored)."""
    root = _root(text)
    if root is None:
        return {}
    signatures: dict[str, tuple[str, dict]] = {}
    for node in root.iter():
        if not isinstance(node.tag, str) or etree.QName(node).namespace in DI_NAMESPACES:
            continue
        if node.get("id"):
            fields = {f"@{_local(k)}": v for k, v in node.attrib.items() if _local(k) != "id"}
            fields["类型"] = _local(node.tag)
            signatures[node.get("id")] = (node.get("name") or TYPE_LABELS.get(_local(node.tag), "未命名元素"),
                                          fields)
            continue
        owner = _owner(node)
        if owner is None or etree.QName(owner).namespace in DI_NAMESPACES:
            continue
        _add_detail(signatures[owner.get("id")][1], node)
    return signatures


def _add_detail(fields: dict, node) -> None:
    tag = _local(node.tag)
    if tag == "property" and node.get("name"):
        fields[f"属性 {node.get('name')}"] = node.get("value")
    elif tag in ("incoming", "outgoing", "flowNodeRef"):
        fields.setdefault(tag, [])
        fields[tag] = sorted([*fields[tag], (node.text or "").strip()])
    elif (node.text or "").strip():
        fields[tag] = node.text.strip()


def _diff_bpmn(name: str, before: str, after: str) -> list[Change]:
    return _changes(name, _bpmn_signatures(before), _bpmn_signatures(after))


def _dmn_signatures(text: str) -> dict[str, tuple[str, dict]]:
    """Rule or column id → (label, cells) for every decision table."""
    root = _root(text)
    if root is None:
        return {}
    found: dict[str, tuple[str, dict]] = {}
    for decision in root.iter("{*}decision"):
        table = decision.find("{*}decisionTable")
        if table is None:
            continue
        heads = []
        for column in [*table.findall("{*}input"), *table.findall("{*}output")]:
            label = column.get("label") or column.get("name") or column.get("id")
            heads.append(label)
            found[column.get("id")] = (f"{decision.get('name')} · 列「{label}」",
                                       {k: v for k, v in column.attrib.items() if k != "id"})
        for number, rule in enumerate(table.findall("{*}rule"), start=1):
            cells = [(c.findtext("{*}text") or "").strip()
                     for c in [*rule.findall("{*}inputEntry"), *rule.findall("{*}outputEntry")]]
            fields = dict(zip(heads, cells, strict=False))
            fields["说明"] = (rule.findtext("{*}description") or "").strip()
            found[rule.get("id")] = (f"{decision.get('name')} · 第 {number} 行", fields)
    return found


def _diff_dmn(name: str, before: str, after: str) -> list[Change]:
    return _changes(name, _dmn_signatures(before), _dmn_signatures(after))


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """JSON → {dotted path: leaf}; lists of scalars stay whole (enum lists read better)."""
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}.{key}" if prefix else key))
        return flat
    if isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
        flat = {}
        for index, item in enumerate(value):
            flat.update(_flatten(item, f"{prefix}[{index}]"))
        return flat
    return {prefix or "（整个文件）": value}


def _diff_form(name: str, before: str, after: str) -> list[Change]:
    try:
        old = _flatten(json.loads(before)) if before else {}
        new = _flatten(json.loads(after)) if after else {}
    except json.JSONDecodeError:
        return [Change(name, "（整个文件）", CHANGED, "JSON 无法解析")]
    found = []
    for path in sorted(set(old) | set(new)):
        if path not in old:
            found.append(Change(name, path, ADDED, _short(new[path])))
        elif path not in new:
            found.append(Change(name, path, REMOVED, _short(old[path])))
        elif old[path] != new[path]:
            found.append(Change(name, path, CHANGED, "", [f"{_short(old[path])} → {_short(new[path])}"]))
    return found
