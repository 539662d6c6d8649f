"""The rates (三率 and more), defined once: formula, written definition, rounding.

Every page, report, export and the API take their rates from here, so a figure and the
sentence beside it cannot drift apart (docs/reports.md repeats the same sentences).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Rate:
    """One rate: its key, Chinese name, the counts it divides and its written definition."""

    key: str
    label: str
    numerator: str
    denominator: str
    definition: str


RATES = (
    Rate("resolution_rate", "化解率", "resolved", "received",
         "化解率 = 本期受理的案件中已化解（已化解、已销号或回访后立续案）的件数 ÷ 本期受理件数"),
    Rate("on_time_rate", "按期办结率", "tasks_on_time", "tasks_due",
         "按期办结率 = 期限内办结的任务 ÷（期限内办结的任务 + 本期到期未按期办结的任务）；"
         "超时上交、逾期后办结、逾期后撤销和逾期未办结都算未按期"),
    Rate("satisfaction_rate", "满意率", "satisfied", "rated",
         "满意率 =（满意 + 基本满意）÷ 评价件数；评价来自本期受理案件的回访记录、"
         "群众在网上自助页面对本期受理案件的评价和本期 12345 工单回访登记的满意度，每条评价计一次"),
    Rate("visit_rate", "回访率", "visits_done", "visits_due",
         "回访率 = 回访期限在本期内的回访任务中已完成的 ÷ 回访期限在本期内的回访任务"),
    Rate("redo_rate", "发回重办率", "reopened", "resolved",
         "发回重办率 = 化解后经回访发现新苗头、立续案重办的案件 ÷ 本期化解的案件"),
)
BY_KEY = {rate.key: rate for rate in RATES}


def rate_value(part: int, whole: int) -> float:
    """part ÷ whole × 100 rounded half up to two decimals (0 for an empty whole)."""
    if not whole:
        return 0.0
    return (part * 10000 * 2 + whole) // (whole * 2) / 100


def percent(part: int, whole: int) -> str:
    """'79.62%' (two decimals, half up), or '—' for an empty whole."""
    if not whole:
        return "—"
    return f"{rate_value(part, whole):.2f}%"


def compute_rates(counts: dict[str, int]) -> dict[str, dict[str, Any]]:
    """Every rate from a report's counts: value, text, the two counts and the definition."""
    result = {}
    for rate in RATES:
        part, whole = counts.get(rate.numerator, 0), counts.get(rate.denominator, 0)
        result[rate.key] = {"label": rate.label, "value": rate_value(part, whole),
                            "text": percent(part, whole), "numerator": part, "denominator": whole,
                            "definition": rate.definition, "empty": not whole}
    return result
