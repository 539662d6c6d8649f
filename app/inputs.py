"""Input rules every door shares (web forms, query strings, the API): bounded dates, whole numbers,
text a database can store, and JSON nested no deeper than a form ever is.

Bad input is refused here with its field path, before it can reach a service and fail there
(OverflowError on 9999-12-31 + 1 day, UnicodeEncodeError on a lone surrogate, RecursionError on
JSON nested 10,000 deep).
"""

import re
from datetime import date
from typing import Any

from marshmallow import ValidationError, fields, validate

from app.errors import ValidationFailed

MIN_DAY = date(1900, 1, 1)
MAX_DAY = date(2100, 12, 31)
MAX_JSON_DEPTH = 32  # the deepest form (an agreement's parties) nests 5 levels
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}:,]')  # strings (with escapes) and punctuation


class Day(fields.Date):
    """A calendar date between 1900-01-01 and 2100-12-31 (date arithmetic stays in range)."""

    def __init__(self, **kwargs):
        bounds = validate.Range(min=MIN_DAY, max=MAX_DAY,
                                error=f"日期须在 {MIN_DAY.isoformat()} 到 {MAX_DAY.isoformat()} 之间")
        kwargs["validate"] = [bounds, *_as_list(kwargs.get("validate"))]
        super().__init__(**kwargs)


class WholeNumber(fields.Integer):
    """An integer that refuses 2.5 (marshmallow's Integer would quietly make it 2) and true/false."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValidationError("必须是整数")
        return super()._deserialize(value, attr, data, **kwargs)


def past_day(value: str | None, today: date, field: str = "occurred_on") -> date | None:
    """A day that has happened (not after `today`, not before 1900); None when absent."""
    if not value:
        return None
    day = date.fromisoformat(value)
    if day > today:
        raise ValidationFailed("发生日期不能晚于今天", {field: ["不能晚于今天"]})
    if day < MIN_DAY:
        raise ValidationFailed("发生日期不能早于 1900 年", {field: ["不能早于 1900-01-01"]})
    return day


def _as_list(validators) -> list:
    if validators is None:
        return []
    return list(validators) if isinstance(validators, list | tuple) else [validators]


def _bad_text(text: str) -> bool:
    """NUL (no database stores it) or a lone surrogate (not encodable as UTF-8)."""
    return "\x00" in text or any("\ud800" <= ch <= "\udfff" for ch in text)


def bad_text_paths(value: Any, path: str = "") -> list[str]:
    """Paths of the strings (keys included) no database can store: NUL or lone surrogates."""
    if isinstance(value, str):
        return [path or "_schema"] if _bad_text(value) else []
    if isinstance(value, dict):
        return [p for key, item in value.items()
                for p in ([f"{path}.{key}".strip(".")] if _bad_text(str(key)) else [])
                + bad_text_paths(item, f"{path}.{key}".strip("."))]
    if isinstance(value, list):
        return [p for index, item in enumerate(value)
                for p in bad_text_paths(item, f"{path}.{index}".strip("."))]
    return []


def too_deep(raw: bytes, limit: int = MAX_JSON_DEPTH) -> str | None:
    """The field path where a JSON document nests deeper than `limit`, else None.

    Scanned before parsing: the parser itself (and every walk over the result) would recurse
    once per level. Bodies with fewer brackets than the limit are not scanned at all.
    """
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return None
    stack: list[list] = []  # [opening bracket, current key or index]
    last = ""
    for match in _TOKENS.finditer(raw.decode("utf-8", "replace")):
        token = match.group()
        if token[0] == '"':
            last = token[1:-1]
        elif token in "[{":
            if len(stack) >= limit:
                return ".".join(str(key) for _, key in stack)
            stack.append([token, 0 if token == "[" else ""])
        elif token in "]}":
            if stack:
                stack.pop()
        elif stack:
            _step(stack[-1], token, last)
    return None


def _step(top: list, ch: str, last: str) -> None:
    """Track the key (after ':') or the index (after ',') of the innermost container."""
    if ch == ":" and top[0] == "{":
        top[1] = last
    elif ch == "," and top[0] == "[":
        top[1] += 1
