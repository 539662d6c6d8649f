"""Refusal reasons read by designers: engine helper ids and attribute names become Chinese, once each."""

from app.designer.refusals import readable, summary

NAMES = {"level_timeout": "本级期限届满"}


def test_helper_spec_ids_and_attribute_names_are_said_in_chinese_once():
    repeated = ("子流程「四级七天」的已办环节「level_timeout（边界事件结构）」"
                "在新版本中有改动（bpmn_name、lane）")
    reasons = [repeated, repeated,
               "已办环节「unknown_id（边界事件结构）」在新版本中有改动（weird_attribute、extensions、lane）"]
    assert readable(reasons, NAMES) == [
        "子流程「四级七天」的已办环节「本级期限届满」在新版本中有改动（名称、泳道）",
        "已办环节「带边界事件的环节」在新版本中有改动（其他设置、扩展属性、泳道）"]
    assert not any(c.isascii() and c.isalpha() for text in readable(reasons, NAMES) for c in text)


def test_summary_counts_each_reason_once_per_instance():
    assert summary([["甲", "甲", "乙"], ["甲"], []]) == [("甲", 2), ("乙", 1)]
