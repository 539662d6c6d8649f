"""The year's inputs and the people of `bench/zhangye.py`: what arrives each day, and how staff
answer each task (outcome and when they get to it).

Everything is drawn from seeded `random.Random` streams, so a given `--seed` and `--scale`
produce the same arrivals. Volumes are Zhangye's published yearly figures (shared/DOMAIN.md).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import chinese_calendar

# --------------------------------------------------------------------------- volumes (one year, scale 1)

GRID_REPORTS = 418_000      # 陇情e通 reports of all kinds (41.8万)
GRID_DISPUTES = 12_370      # of which disputes found by grid workers
HOTLINE_ORDERS = 23_000     # 12345 work orders passed to the local platform (2.3万)
HOTLINE_DISPUTES = 314      # of which dispute orders
# Cases opened at the windows (综合受理): walk-ins and 三调对接 referrals. With the grid and 12345
# disputes above this makes the ~25,000 disputes handled by centers at all levels.
WINDOW_CASES = {"walk_in": 4_316, "police": 4_000, "petition": 1_500, "court": 2_500}
WINDOW_CHANNELS = ("walk_in", "petition", "court")  # open on working days only

SHANGHAI_HOURS = (9, 0)

# walk-in categories → routing.dmn: labour/medical/land/requisition/pollution go to a department
# window, traffic to 警调, small consumer/other on the spot, the rest 四级七天
WALK_IN_CATEGORIES = {"neighbour": 14, "marriage_family": 12, "contract": 8, "damages": 6, "business": 4,
                      "labour": 16, "medical": 4, "housing_land": 6, "forest_land": 4, "requisition": 3,
                      "property_service": 4, "pollution": 2, "traffic": 5, "consumer": 14, "other": 10}
GRID_CATEGORIES = {"neighbour": 30, "marriage_family": 20, "housing_land": 12, "forest_land": 8,
                   "damages": 10, "contract": 6, "property_service": 6, "labour": 4, "other": 4}
RISK = {"blue": 30, "yellow": 47, "orange": 15, "red": 8}
GRID_RISK = {"blue": 50, "yellow": 40, "orange": 6, "red": 4}
ORDER_TYPES = {"consultation": 30, "help": 25, "complaint": 25, "report": 8, "suggestion": 12}
HAZARD_DEPARTMENTS = ("housing", "ecology", "natural_resources", "health", "civil_affairs")
ORDER_DEPARTMENTS = ("housing", "hrss", "ecology", "natural_resources", "civil_affairs", "health")
WHISTLE_DEPARTMENTS = ("hrss", "housing", "natural_resources", "civil_affairs", "justice", "police")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def is_workday(day: date) -> bool:
    """The State Council schedule (调休 included), as the people of the simulation keep it."""
    return chinese_calendar.is_workday(day)


def spread(total: int, days: list[date], workdays_only: bool) -> list[int]:
    """`total` items over `days` (exact sum): weekends and holidays get little or nothing."""
    weights = [1.0 if is_workday(d) else (0.0 if workdays_only else 0.6) for d in days]
    whole, running, counts, previous = sum(weights), 0.0, [], 0
    for weight in weights:  # cumulative rounding: small daily shares spread evenly over the year
        running += weight
        reached = int(total * running / whole + 0.5)
        counts.append(reached - previous)
        previous = reached
    return counts


@dataclass
class Volumes:
    """Per-day arrival counts for the year at a scale."""

    days: list[date]
    grid_reports: list[int]
    grid_disputes: list[int]
    hotline: list[int]
    hotline_disputes: list[int]
    window: dict[str, list[int]]

    @classmethod
    def of(cls, year: int, scale: float, days: int | None = None) -> Volumes:
        """The arrivals of `year` (or its first `days` days) at `scale`."""
        first = date(year, 1, 1)
        n = (date(year + 1, 1, 1) - first).days
        calendar = [first + timedelta(days=i) for i in range(n)]

        def share(total: int, workdays_only: bool = False) -> list[int]:
            return spread(round(total * scale), calendar, workdays_only)[: days or n]

        return cls(calendar[: days or n], share(GRID_REPORTS), share(GRID_DISPUTES), share(HOTLINE_ORDERS),
                   share(HOTLINE_DISPUTES),
                   {ch: share(count, ch in WINDOW_CHANNELS) for ch, count in WINDOW_CASES.items()})

    def totals(self) -> dict[str, int]:
        """Arrivals over the simulated days."""
        return {"grid reports": sum(self.grid_reports), "grid disputes": sum(self.grid_disputes),
                "12345 orders": sum(self.hotline), "12345 dispute orders": sum(self.hotline_disputes),
                **{f"window {ch}": sum(c) for ch, c in self.window.items()}}


# --------------------------------------------------------------------------- arrivals

def _parties(rng: random.Random, n: int = 2) -> list[dict[str, Any]]:
    people = []
    for i in range(n):
        person = {"name": rng.choice(SURNAMES) + rng.choice("明华军芳秀英强伟丽静"),
                  "role": "applicant" if i == 0 else "respondent"}
        if rng.random() < 0.7:
            person["phone"] = f"13{rng.randrange(10**9):09d}"
        people.append(person)
    return people


def _size(rng: random.Random, risk: str, group_share: float) -> tuple[float, int]:
    """(amount, people) of a dispute; a few are large or group disputes (→ the whistle)."""
    amount = round(rng.lognormvariate(8.5, 1.4), -1)
    if rng.random() < 0.01:
        amount = 1_000_000 + rng.randrange(2_000_000)
    people = 2 if rng.random() > group_share else 10 + rng.randrange(40)
    if risk == "red":
        people = max(people, 3)
    return float(amount), people


def grid_report(rng: random.Random, external_id: str, grid: str, dispute: bool) -> dict[str, Any]:
    """One 陇情e通 item; disputes carry what intake needs."""
    if dispute:
        risk = _pick(rng, GRID_RISK)
        amount, people = _size(rng, risk, 0.03)
        return {"external_id": external_id, "kind": "dispute", "grid_code": grid, "reporter": "网格员",
                "title": "网格排查发现矛盾纠纷", "content": "网格员走访排查发现的矛盾纠纷，已初步了解情况。",
                "category": _pick(rng, GRID_CATEGORIES), "risk_tier": risk, "amount": amount,
                "people_count": people, "parties": _parties(rng)}
    if rng.random() < 0.4:
        item = {"external_id": external_id, "kind": "hazard", "grid_code": grid, "reporter": "网格员",
                "title": "安全隐患上报", "content": "巡查发现的安全隐患，请相关部门处置。"}
        if rng.random() < 0.5:
            item["department"] = rng.choice(HAZARD_DEPARTMENTS)
        return item
    return {"external_id": external_id, "kind": "sentiment", "grid_code": grid, "reporter": "网格员",
            "title": "社情民意收集", "content": "走访中群众反映的意见建议，记录备查。"}


def hotline_order(rng: random.Random, order_id: str, grid: str, dispute: bool) -> dict[str, Any]:
    """One 12345 work order as the platform dispatches it."""
    body: dict[str, Any] = {
        "order_id": order_id, "order_type": "complaint" if dispute else _pick(rng, ORDER_TYPES),
        "is_dispute": dispute, "urgent": rng.random() < 0.03, "grid_code": grid,
        "title": "市民来电反映诉求", "content": "市民通过12345热线反映的诉求，请依职责办理。",
        "citizen": {"name": rng.choice(SURNAMES) + "先生", "phone": f"139{rng.randrange(10**8):08d}"}}
    if dispute:
        risk = _pick(rng, GRID_RISK)
        amount, people = _size(rng, risk, 0.05)
        body.update(category=_pick(rng, GRID_CATEGORIES), risk_tier=risk, amount=amount,
                    people_count=people, respondents=[{"name": "被反映人", "role": "respondent"}])
    elif rng.random() < 0.5:
        body["department"] = rng.choice(ORDER_DEPARTMENTS)
    return body


def window_case(rng: random.Random, channel: str) -> dict[str, Any]:
    """The intake form of a case registered at a window (walk-in or a referral)."""
    category = _pick(rng, WALK_IN_CATEGORIES)
    risk = _pick(rng, RISK) if channel == "walk_in" else _pick(rng, GRID_RISK)
    amount, people = _size(rng, risk, 0.06 if channel == "walk_in" else 0.02)
    if category in ("consumer", "other") and rng.random() < 0.8:
        amount, people = float(rng.randrange(200, 9000)), 2
    return {"title": "窗口受理的矛盾纠纷", "narrative": "当事人到中心反映的矛盾纠纷，请求调解处理。",
            "channel": channel, "category": category, "risk_tier": risk, "amount": amount,
            "people_count": people, "address": "张掖市", "parties": _parties(rng)}


# --------------------------------------------------------------------------- the people

@dataclass(frozen=True)
class TaskRow:
    """What the people see of an open task (a human_task row)."""

    id: str
    process_id: str
    bpmn_id: str
    lane: str | None
    form_key: str | None
    business_key: str
    department_id: int | None
    unit_id: int | None
    role: Any
    created_at: datetime
    due_at: datetime | None


# share of tasks of each form that people leave past its deadline (for a boundary timer: until
# the level times out and the case moves up)
LATE = {"mediation_result.json": 0.06, "report_in.json": 0.10, "hotline_sign_for.json": 0.04,
        "petition_handle.json": 0.05}
LATE_DEFAULT = 0.03
# how far into a long deadline people typically get to the task
WORK_WITHIN = timedelta(days=4)


def work_moment(rng: random.Random, row: TaskRow) -> datetime:
    """When somebody gets to the task: mostly within its deadline, sometimes after it."""
    created, due = row.created_at, row.due_at
    if due is None:
        return created + timedelta(hours=rng.uniform(1, 30))
    if rng.random() < LATE.get(row.form_key or "", LATE_DEFAULT):
        if rng.random() < 0.2:  # forgotten for a week or two: 催办, then a 督办单
            return due + timedelta(days=rng.uniform(7, 15))
        return due + timedelta(hours=rng.uniform(2, 60))
    window = due - created
    if window <= timedelta(hours=8):
        return created + window * rng.uniform(0.2, 0.8)
    return created + min(window, WORK_WITHIN) * rng.uniform(0.05, 0.9)


def _agreement(rng: random.Random, today: date) -> dict[str, Any]:
    return {"parties": [{"name": "甲方"}, {"name": "乙方"}], "facts": "双方就争议事项陈述了事实。",
            "responsibility": "双方各负其责", "terms": "按协议约定履行赔偿和整改义务。",
            "performance_method": "当面履行",
            "performance_deadline": (today + timedelta(days=30)).isoformat(),
            "agreement_signed_on": today.isoformat(), "apply_judicial_confirmation": rng.random() < 0.08}


# chance that a mediation succeeds, by where it happens (四级七天: 85% close at level 1)
RESOLVE = {"网格员": 0.85, "村调委会": 0.75, "乡镇综治中心": 0.7, "乡镇党委政府": 0.65}
RESOLVE_BY_TASK = {"on_the_spot": 0.92, "county_handling": 0.8, "joint_mediation": 0.95,
                   "department_mediation": 0.85, "pre_suit_mediation": 0.75, "police_mediation": 0.85}


def _mediation(rng: random.Random, row: TaskRow, today: date) -> dict[str, Any]:
    chance = RESOLVE.get(row.lane or "", RESOLVE_BY_TASK.get(row.bpmn_id, 0.8))
    if rng.random() < chance:
        return {"result": "resolved", "summary": "经调解双方达成协议", "agreement": _agreement(rng, today)}
    return {"result": "failed", "summary": "双方分歧较大，本级未能化解"}


def _return_visit(rng: random.Random) -> dict[str, Any]:
    form: dict[str, Any] = {"state_of_mind": "情绪平稳", "abnormal_behaviour": False,
                            "mediation_opinion": _pick(rng, {"satisfied": 80, "basically_satisfied": 17,
                                                             "dissatisfied": 3}),
                            "performance": _pick(rng, {"performed": 85, "performing": 13,
                                                       "not_performed": 2}),
                            "new_signs": rng.random() < 0.02}
    if form["new_signs"]:
        form["new_signs_detail"] = "回访发现双方又因履行问题产生争执"
    return form


def _sign_for(rng: random.Random, row: TaskRow) -> dict[str, Any]:
    first_dispatch = row.business_key.endswith("-1")
    if first_dispatch and rng.random() < 0.03:
        return {"decision": "object", "objection_reason": "该地址不属于本辖区"}
    return {"decision": "accept"}


def _petition(rng: random.Random) -> dict[str, Any]:
    decision = _pick(rng, {"resolved": 85, "failed": 10, "extend": 5})
    return {"handle_decision": decision, "handling_summary": "依法依规办理信访事项并答复信访人"}


FIXED = {
    "hazard_handle.json": lambda rng: {"finding": "现场核查属实，已通知责任单位",
                                       "measures": "设置警示标志并限期整改",
                                       "eliminated": rng.random() < 0.8},
    "failure_record.json": lambda rng: {"next_route": _pick(rng, {"litigation": 50, "arbitration": 15,
                                                                  "administrative": 15, "other": 20}),
                                        "failure_reason": "双方分歧较大，调解不成", "parties_informed": True},
    "judicial_confirmation.json": lambda rng: {"confirmation_result": _pick(
        rng, {"confirmed": 88, "rejected": 2, "not_applied": 10}), "court_name": "甘州区人民法院"},
    "whistle_call.json": lambda rng: {"departments": rng.sample(WHISTLE_DEPARTMENTS, rng.choice((2, 2, 3))),
                                      "whistle_note": "请相关部门到中心报到，联合化解"},
    "report_in.json": lambda rng: {"reporter": "部门承办人", "reporter_phone": "13900001111"},
    "department_opinion.json": lambda rng: {"opinion": "依职责核查并提出处置意见"},
    "supervision.json": lambda rng: {"supervision_measure": "reminder",
                                     "supervision_note": "电话催促部门报到"},
    "arbitration_referral.json": lambda rng: {"arbitration_commission": "劳动人事争议仲裁委员会",
                                              "referral_note": "调解不成，告知并移送仲裁",
                                              "applicant_informed": True},
    "petition_accept.json": lambda rng: {"acceptance_opinion": "符合受理条件，予以受理",
                                         "petitioner_notified": True},
    "extension_approval.json": lambda rng: {"extension_approved": True, "extension_days": 30,
                                            "petitioner_notice": "情况复杂，延期办理并告知信访人"},
    "red_alert.json": lambda rng: {"assessment": "存在激化风险，需联合处置",
                                   "measures": "通知相关部门到场稳控", "reported_to_superior": True},
    "hotline_handle.json": lambda rng: {"result": "resolved" if rng.random() < 0.9 else "unresolved",
                                        "summary": "已按职责办理诉求"},
    "hotline_objection_review.json": lambda rng: {"upheld": rng.random() < 0.5,
                                                  "opinion": "经核实作出审核意见"},
    "hotline_reply.json": lambda rng: {"reply": "已向市民答复办理情况", "contacted": True},
    "hotline_visit.json": lambda rng: {"satisfaction": _pick(rng, {
        "very_satisfied": 45, "satisfied": 35, "basically_satisfied": 15, "dissatisfied": 5})},
    "supervision_issue.json": lambda rng: {"supervision_measure": "notice",
                                           "supervision_requirement": "限期说明逾期原因并整改"},
    "supervision_review.json": lambda rng: {"review_result": "accepted" if rng.random() < 0.9 else "returned",
                                            "review_note": "说明属实"},
}


def _explanation(today: date) -> dict[str, Any]:
    return {"overdue_reason": "案件情况复杂，承办人员力量不足导致逾期",
            "remedy_measures": "加派人员限期办结", "expected_on": (today + timedelta(days=5)).isoformat()}


def answer(rng: random.Random, row: TaskRow, today: date) -> dict[str, Any]:
    """The form data a person submits for the task (a task without a form gets none)."""
    form = row.form_key or ""
    by_row = {"mediation_result.json": lambda: _mediation(rng, row, today),
              "return_visit.json": lambda: _return_visit(rng),
              "hotline_sign_for.json": lambda: _sign_for(rng, row),
              "petition_handle.json": lambda: _petition(rng),
              "supervision_explain.json": lambda: _explanation(today)}
    if form in by_row:
        return by_row[form]()
    return FIXED[form](rng) if form in FIXED else {}
