"""Migration refusals as a designer reads them: once each, in Chinese, without engine names.

The engine layer describes a refused move with its own vocabulary (spec attribute names, the
ids of helper specs it builds around boundary events); this turns that into element names and
plain words, and folds the repeats that one change causes in several helper specs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from lxml import etree

# Attributes of SpiffWorkflow task specs that a workflow diff reports as changed.
ATTRIBUTE_LABELS = {
    "bpmn_name": "名称", "lane": "泳道", "documentation": "说明", "extensions": "扩展属性",
    "manual": "办理方式", "prescript": "前置脚本", "postscript": "后置脚本", "script": "脚本",
    "io_specification": "输入输出", "data_input_associations": "输入数据",
    "data_output_associations": "输出数据", "cond_task_specs": "分支条件",
    "default_task_spec": "默认路径", "event_definition": "事件定义", "cancel_activity": "是否中断",
    "condition": "条件", "loop_cardinality": "循环次数", "completion_condition": "完成条件",
    "collection": "多实例集合", "element_var": "多实例变量", "input_item": "多实例输入",
    "output_item": "多实例输出", "decision_table": "决策表", "timer": "定时",
    "outgoing_task_specs": "后续环节", "inputs": "前序环节", "outputs": "后续环节",
    "spec": "调用的子流程", "main_child_task_spec": "主环节",
}
OTHER = "其他设置"
HELPER_SPEC = re.compile(r"「([\w\-]+)（边界事件结构）」")
CHANGES = re.compile(r"（([A-Za-z_、]+)）$")


def element_names(bpmn_texts: Iterable[str]) -> dict[str, str]:
    """BPMN element id → its name, over several files."""
    names: dict[str, str] = {}
    for text in bpmn_texts:
        try:
            root = etree.fromstring(text.encode("utf-8"))
        except etree.XMLSyntaxError:
            continue
        for node in root.iter():
            if isinstance(node.tag, str) and node.get("id") and node.get("name"):
                names.setdefault(node.get("id"), node.get("name"))
    return names


def _changes_label(match: re.Match) -> str:
    labels = dict.fromkeys(ATTRIBUTE_LABELS.get(name, OTHER) for name in match.group(1).split("、"))
    return "（" + "、".join(labels) + "）"


def readable(reasons: Iterable[str], names: Mapping[str, str]) -> list[str]:
    """The reasons in plain Chinese, each said once, in first-seen order."""
    found: dict[str, None] = {}
    for reason in reasons:
        text = HELPER_SPEC.sub(lambda m: f"「{names.get(m.group(1), '带边界事件的环节')}」", reason)
        text = CHANGES.sub(_changes_label, text)
        found.setdefault(text, None)
    return list(found)


def summary(reasons_by_instance: Iterable[list[str]]) -> list[tuple[str, int]]:
    """Each distinct reason with how many instances it stops, most common first."""
    counts: dict[str, int] = {}
    for reasons in reasons_by_instance:
        for reason in dict.fromkeys(reasons):
            counts[reason] = counts.get(reason, 0) + 1
    return sorted(counts.items(), key=lambda item: -item[1])
