"""Inbox queries: plain indexed SQL over human_task, never a workflow load."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, exists, false, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from app.cases.models import Case, Party
from app.errors import Forbidden, NotFound
from app.extensions import db
from app.org.models import Membership, OrgUnit, Role
from app.org.services import Actor, can_work
from app.vocab import Category, Channel, RiskTier
from app.workflow.models import HumanTask, ProcessInstance, TaskState

PAGE_SIZE = 20


class Tab(enum.Enum):
    """The inbox tabs."""

    TODO = "todo"        # 待办: open, unclaimed, for my department/post
    MINE = "mine"        # 我已认领
    DUE = "due"          # 即将超期/已超期
    DONE = "done"        # 已办


TAB_LABELS = {Tab.TODO: "待办", Tab.MINE: "我已认领", Tab.DUE: "即将超期/已超期", Tab.DONE: "已办"}


LEVELS = ["网格员首调", "村（社区）调委会调解", "乡镇综治中心调解", "乡镇党委政府调解", "县综治中心"]


@dataclass(frozen=True)
class InboxQuery:
    """What the user asked the inbox for (filters apply to the task's case)."""

    tab: Tab = Tab.TODO
    q: str = ""
    page: int = 1
    category: str = ""
    risk_tier: str = ""
    channel: str = ""
    level: str = ""

    @classmethod
    def from_args(cls, args) -> InboxQuery:
        """Read the query string, ignoring unknown values."""
        def pick(name: str, allowed) -> str:
            value = args.get(name, "")
            return value if value in allowed else ""
        tab = args.get("tab", Tab.TODO.value)
        return cls(tab=Tab(tab) if tab in {t.value for t in Tab} else Tab.TODO,
                   q=args.get("q", "").strip()[:64], page=max(1, args.get("page", 1, type=int) or 1),
                   category=pick("category", Category.values()),
                   risk_tier=pick("risk_tier", RiskTier.values()),
                   channel=pick("channel", Channel.values()), level=pick("level", LEVELS))


@dataclass(frozen=True)
class CaseLine:
    """What an inbox row shows of the task's case."""

    title: str
    category: str
    risk_tier: RiskTier


@dataclass
class InboxPage:
    """One page of (task, what it shows of its case or None) rows and the count of every tab."""

    rows: list[tuple[HumanTask, CaseLine | None]]
    counts: dict[Tab, int]
    total: int
    page: int
    pages: int


def candidate_tasks(actor: Actor, scope: Membership | None) -> ColumnElement[bool]:
    """Tasks offered to the user: their departments and posts (narrowed to `scope` if chosen)."""
    if scope is not None:
        departments = {scope.department_id} if scope.department_id else set()
        unit_roles = {(scope.org_unit_id, scope.role)} if scope.org_unit_id else set()
    else:
        departments, unit_roles = set(actor.department_ids), set(actor.unit_roles)
    clauses: list[ColumnElement[bool]] = []
    if departments:
        clauses.append(HumanTask.candidate_department_id.in_(departments))
    clauses.extend(and_(HumanTask.candidate_org_unit_id == unit_id, HumanTask.candidate_role == role)
                   for unit_id, role in unit_roles)
    return or_(*clauses) if clauses else false()


def visible_tasks(actor: Actor) -> ColumnElement[bool]:
    """Tasks a user may look at: those offered to them, plus every task in a subtree they supervise."""
    supervised = [unit for unit, role in actor.unit_roles if role == Role.SUPERVISOR]
    offered = candidate_tasks(actor, None)
    if not supervised:
        return offered
    return or_(offered, HumanTask.instance_id.in_(_instances_under(supervised)))


def visible_task(task_id: str, actor: Actor, *, with_instance: bool = False) -> HumanTask:
    """The task if the user may see it (the one rule for the web and the API): theirs, offered
    to them, in a subtree they supervise, or in the area of a center they coordinate.
    NotFound when there is no such task, Forbidden when it is not theirs to see.
    `with_instance` reads its process instance in the same SELECT (for a step that follows)."""
    from app.inbox.actions import coordinates  # actions sits above the queries

    if with_instance:
        task = db.session.scalar(_task_with_instance(), {"p_task": task_id})
    else:
        task = db.session.get(HumanTask, task_id)
    if task is None:
        raise NotFound("任务不存在")
    if actor.user_id in (task.assignee_id, task.completed_by_id) or can_work(
            actor, task.candidate_department_id, task.candidate_org_unit_id, task.candidate_role):
        return task  # offered to them: decided from the row, no second query
    if db.session.scalar(select(HumanTask.id).where(
            and_(HumanTask.id == task_id, visible_tasks(actor)))) is not None:
        return task
    if coordinates(actor, task):  # the center's coordinators route, approve and act for all
        return task
    raise Forbidden("您无权查看该任务")


@cache
def _task_with_instance() -> Select:
    """A task row joined with its instance row: built once (its cache key with it)."""
    return (select(HumanTask).where(HumanTask.id == bindparam("p_task"))
            .options(joinedload(HumanTask.instance, innerjoin=True)))


def _instances_under(unit_ids: list[int]):
    """Ids of instances whose case lies in the subtree of any of `unit_ids` (materialised paths)."""
    paths = db.session.scalars(select(OrgUnit.path).where(OrgUnit.id.in_(unit_ids))).all()
    units = select(OrgUnit.id).where(or_(*[OrgUnit.path.startswith(p) for p in paths]))
    return select(ProcessInstance.id).where(ProcessInstance.org_unit_id.in_(units))


def _tab_condition(tab: Tab, actor: Actor, offered: ColumnElement[bool],
                   now: datetime) -> ColumnElement[bool]:
    ready = HumanTask.state == TaskState.READY
    if tab is Tab.TODO:
        return and_(ready, offered, HumanTask.assignee_id.is_(None))
    if tab is Tab.MINE:
        return and_(ready, HumanTask.assignee_id == actor.user_id)
    if tab is Tab.DUE:
        return and_(ready, or_(and_(offered, HumanTask.assignee_id.is_(None)),
                               HumanTask.assignee_id == actor.user_id),
                    HumanTask.warn_at <= now)
    return HumanTask.completed_by_id == actor.user_id


def _case_filters(query: InboxQuery) -> list[ColumnElement[bool]]:
    """Search and filters on the task's case: the facts copied onto the task row, and for the
    search the case code, the task's or the case's title, or a party's name. No join: the case
    title is probed per candidate task (unique code index), the party name once (name index)."""
    conditions: list[ColumnElement[bool]] = []
    if query.q:
        named = select(Case.code).join(Party, Party.case_id == Case.id).where(Party.name == query.q)
        other = aliased(Case)  # not the outer-joined case of the page query
        titled = exists(select(other.id).where(other.code == HumanTask.business_key,
                                               other.title.contains(query.q)))
        conditions.append(or_(HumanTask.business_key == query.q.upper(), HumanTask.title.contains(query.q),
                              HumanTask.business_key.in_(named), titled))
    if query.category:
        conditions.append(HumanTask.case_category == query.category)
    if query.risk_tier:
        conditions.append(HumanTask.case_risk_tier == RiskTier(query.risk_tier))
    if query.channel:
        conditions.append(HumanTask.case_channel == query.channel)
    if query.level:
        conditions.append(HumanTask.case_level == query.level)
    return conditions


def inbox(actor: Actor, scope: Membership | None, query: InboxQuery, now: datetime, *,
          all_counts: bool = True) -> InboxPage:
    """One page of the asked tab, sorted by due time (done: newest first), plus tab counts
    (only the asked tab's when `all_counts` is false: clients that poll need no badges).

    The asked tab's count is read off its page when the page is the last one (fewer rows than
    a page holds): the common inbox of a few tasks costs the page's SELECT alone."""
    offered = candidate_tasks(actor, scope)
    extra = _case_filters(query)
    tabs = list(Tab) if all_counts else [query.tab]
    conditions = {tab: and_(_tab_condition(tab, actor, offered, now), *extra) for tab in tabs}
    # One count per other tab over human_task alone, each able to use its own index.
    counts = {tab: _count(cond) for tab, cond in conditions.items() if tab is not query.tab}
    page = max(1, query.page)
    rows = _page_rows(query.tab, conditions[query.tab], page)
    if len(rows) < PAGE_SIZE and (rows or page == 1):
        total = (page - 1) * PAGE_SIZE + len(rows)  # this is the last page: no count needed
    else:
        total = _count(conditions[query.tab])
        last = max(1, -(-total // PAGE_SIZE))
        if page > last:  # asked past the end: show the last page
            page = last
            rows = _page_rows(query.tab, conditions[query.tab], page)
    counts[query.tab] = total
    pages = max(1, -(-total // PAGE_SIZE))
    return InboxPage([(task, CaseLine(title, category, tier) if title is not None else None)
                      for task, title, category, tier in rows],
                     {tab: counts[tab] for tab in tabs}, total, page, pages)


def _count(condition: ColumnElement[bool]) -> int:
    return db.session.scalar(select(func.count()).select_from(HumanTask).where(condition)) or 0


def _page_rows(tab: Tab, condition: ColumnElement[bool], page: int) -> list[Any]:
    """One page of a tab's rows with what they show of their case. NULLS LAST keeps the
    (…, state, due_at) indexes usable for the order, so the page is read in index order and
    stops after PAGE_SIZE rows."""
    order = (HumanTask.completed_at.desc(),) if tab is Tab.DONE else \
        (HumanTask.due_at.asc().nulls_last(), HumanTask.created_at)
    return list(db.session.execute(
        select(HumanTask, Case.title, Case.category, Case.risk_tier)
        .outerjoin(Case, Case.code == HumanTask.business_key)
        .where(condition).order_by(*order)
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all())
