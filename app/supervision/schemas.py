"""Query-string schemas of the supervision pages."""

from __future__ import annotations

from datetime import date

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from app.errors import ValidationFailed
from app.inputs import Day
from app.supervision.overdue import SORTS, STATES, OverdueFilter


class OverdueArgs(Schema):
    """Filters, sort and page of the overdue list."""

    class Meta:
        unknown = EXCLUDE

    org_unit_id = fields.Integer(load_default=None, allow_none=True)
    department = fields.String(load_default="", validate=validate.Length(max=64))
    level = fields.String(load_default="", validate=validate.Length(max=64))
    category = fields.String(load_default="", validate=validate.Length(max=32))
    risk_tier = fields.String(load_default="", validate=validate.Length(max=16))
    channel = fields.String(load_default="", validate=validate.Length(max=32))
    min_days = fields.Integer(load_default=0, validate=validate.Range(min=0, max=3650))
    state = fields.String(load_default="all", validate=validate.OneOf(list(STATES)))
    sort = fields.String(load_default="due", validate=validate.OneOf(list(SORTS)))
    descending = fields.Boolean(load_default=False)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))


class PeriodArgs(Schema):
    """An org unit and a date range [start, end) in Shanghai dates."""

    class Meta:
        unknown = EXCLUDE

    org_unit_id = fields.Integer(load_default=None, allow_none=True)
    start = Day(load_default=None, allow_none=True)
    end = Day(load_default=None, allow_none=True)


def _blank_to_none(args) -> dict:
    return {key: value for key, value in args.items() if value != ""}


def load(schema: Schema, args) -> dict:
    """Load query args with `schema`; a bad value is a 422 with the field named in Chinese."""
    try:
        return schema.load(_blank_to_none(args))
    except ValidationError as exc:
        raise ValidationFailed("查询条件有误", {k: ["取值无效"] for k in exc.messages}) from exc


def overdue_filter(args) -> OverdueFilter:
    """The overdue filter from a query string."""
    return OverdueFilter(**load(OverdueArgs(), args))


def period(args, today: date) -> tuple[int | None, date, date]:
    """(org unit id, start, end) with the current month to date as the default."""
    data = load(PeriodArgs(), args)
    start = data["start"] or today.replace(day=1)
    end = data["end"] or today
    if end < start:
        raise ValidationFailed("结束日期不能早于开始日期", {"end": ["不能早于开始日期"]})
    return data["org_unit_id"], start, end
