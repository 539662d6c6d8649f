"""JSON errors for the API: `{"code", "message", "errors": {field path: [...]}}`, messages in Chinese.

Every error of an API request goes through `api_error`, so clients never see an HTML page.
"""

import logging
import re
from typing import Any

from flask import jsonify
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.errors import OneDoorError

log = logging.getLogger("onedoor.api")

HTTP_CODES = {
    400: ("bad_request", "请求格式不正确"),
    401: ("unauthorized", "未认证：请提供有效的 API 密钥、个人令牌或登录会话"),
    403: ("forbidden", "无权执行该操作"),
    404: ("not_found", "请求的资源不存在"),
    405: ("method_not_allowed", "不支持该请求方法"),
    406: ("not_acceptable", "无法提供所请求的格式"),
    409: ("conflict", "资源状态冲突，请刷新后重试"),
    413: ("payload_too_large", "请求体过大"),
    415: ("unsupported_media_type", "请使用 application/json 提交"),
    422: ("validation_failed", "提交的数据有误"),
    429: ("rate_limited", "请求过于频繁，请稍后再试"),
    500: ("internal_error", "服务器内部错误，请稍后再试"),
}
# marshmallow's English messages → Chinese; anything else is prefixed, never dropped
MESSAGES = {
    "Missing data for required field.": "必填项",
    "Unknown field.": "未定义的字段",
    "Field may not be null.": "不能为空值",
    "Not a valid string.": "必须是字符串",
    "Not a valid integer.": "必须是整数",
    "Not a valid number.": "必须是数字",
    "Not a valid boolean.": "必须是布尔值",
    "Not a valid date.": "日期格式不正确（YYYY-MM-DD）",
    "Not a valid datetime.": "时间格式不正确（ISO 8601）",
    "Not a valid list.": "必须是数组",
    "Not a valid mapping type.": "必须是对象",
    "Invalid input type.": "输入类型不正确",
    "Invalid value.": "值不正确",
    "Invalid input.": "输入不正确",
}
PATTERNS = [
    (re.compile(r"Must be one of: (.*)\."), "必须是以下之一：{0}"),
    (re.compile(r"Shorter than minimum length (\d+)\."), "长度不能少于 {0}"),
    (re.compile(r"Longer than maximum length (\d+)\."), "长度不能超过 {0}"),
    (re.compile(r"Length must be between (\d+) and (\d+)\."), "长度必须在 {0} 到 {1} 之间"),
    (re.compile(r"Must be greater than or equal to (\S+)\."), "不能小于 {0}"),
    (re.compile(r"Must be less than or equal to (\S+)\."), "不能大于 {0}"),
    (re.compile(r"Must be greater than or equal to (\S+) and less than or equal to (\S+)\."),
     "必须在 {0} 到 {1} 之间"),
    (re.compile(r"String does not match expected pattern\."), "格式不正确"),
]


def translate(message: str) -> str:
    """A marshmallow message in Chinese."""
    if message in MESSAGES:
        return MESSAGES[message]
    for pattern, template in PATTERNS:
        match = pattern.fullmatch(message)
        if match:
            return template.format(*match.groups())
    return message


def flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Nested marshmallow messages as {"parties.0.name": [...]}."""
    if isinstance(messages, dict):
        out: dict[str, list[str]] = {}
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix and key != "_schema" else (prefix or str(key))
            for sub, items in flatten(value, path).items():
                out.setdefault(sub, []).extend(items)
        return out
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix or "_schema": [translate(m) for m in messages]}
    if isinstance(messages, str):
        return {prefix or "_schema": [translate(messages)]}
    return {prefix or "_schema": [str(messages)]}


def body(code: str, message: str, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """The one error shape of the API."""
    return {"code": code, "message": message, "errors": errors or {}}


def _http(exc: HTTPException):
    status = exc.code or 500
    code, message = HTTP_CODES.get(status, ("error", exc.name))
    data = getattr(exc, "data", None) or {}
    errors: dict[str, list[str]] = {}
    for messages in (data.get("messages") or {}).values():  # webargs: {location: {...}}
        errors.update(flatten(messages))
    response = jsonify(body(code, data.get("message") or message, errors))
    response.status_code = status
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    if status == 405 and exc.get_response().headers.get("Allow"):
        response.headers["Allow"] = exc.get_response().headers["Allow"]
    return response


def api_error(exc: Exception):
    """Turn any exception raised by an API view into the JSON error shape."""
    if isinstance(exc, CSRFError):
        return jsonify(body("csrf_failed", "会话请求缺少有效的 X-CSRFToken 请求头")), 400
    if isinstance(exc, OneDoorError):
        response = jsonify(body(exc.code, exc.message, exc.errors))
        response.status_code = exc.http_status
        for name, value in getattr(exc, "headers", {}).items():
            response.headers[name] = value
        return response
    if isinstance(exc, HTTPException):
        return _http(exc)
    log.exception("unhandled API error")
    return jsonify(body(*HTTP_CODES[500])), 500


class Unauthorized(OneDoorError):
    """No valid credentials."""

    code = "unauthorized"
    http_status = 401


class MalformedBody(OneDoorError):
    """The body cannot be read as the endpoint's input (e.g. nested too deep)."""

    code = "bad_request"
    http_status = 400


class PayloadTooLarge(OneDoorError):
    """The body is over the endpoint's limit."""

    code = "payload_too_large"
    http_status = 413


class RateLimited(OneDoorError):
    """The key used up its requests for this minute."""

    code = "rate_limited"
    http_status = 429

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.headers = {"Retry-After": str(retry_after)}
