"""Form input of the public pages, checked with marshmallow (Chinese messages, field paths)."""

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from app.cases.labels import CATEGORIES
from app.errors import ValidationFailed
from app.public.models import Rating

PHONE = validate.Regexp(r"^1[3-9][0-9]{9}$", error="请输入 11 位手机号码")
REQUIRED: dict[str, str | list[Any] | dict[Any, Any]] = {"required": "此项为必填项", "null": "此项为必填项"}


def _text(low: int, high: int, **kwargs) -> fields.String:
    return fields.String(required=kwargs.pop("required", True), error_messages=REQUIRED,
                         validate=validate.Length(min=low, max=high,
                                                  error=f"请填写 {low}–{high} 个字"), **kwargs)


class PhoneIn(Schema):
    """Step one of submitting: the phone that gets the SMS code."""

    class Meta:
        unknown = EXCLUDE

    phone = fields.String(required=True, error_messages=REQUIRED, validate=PHONE)


class SubmissionIn(PhoneIn):
    """Step two: the code and the dispute."""

    token = fields.String(required=True, error_messages=REQUIRED, validate=validate.Length(max=64))
    sms_code = fields.String(required=True, error_messages=REQUIRED,
                             validate=validate.Regexp(r"^[0-9]{6}$", error="请输入 6 位数字验证码"))
    name = _text(1, 64)
    title = _text(4, 100)
    narrative = _text(10, 5000)
    category = fields.String(required=True, error_messages=REQUIRED,
                             validate=validate.OneOf(list(CATEGORIES), error="请选择纠纷类别"))
    grid_code = fields.String(required=True, error_messages=REQUIRED, validate=validate.Length(max=64))
    address = _text(0, 200, required=False, load_default="")
    respondent = _text(0, 64, required=False, load_default="")


class TrackIn(Schema):
    """The tracking form: case code and the phone's last four digits."""

    class Meta:
        unknown = EXCLUDE

    code = fields.String(required=True, error_messages=REQUIRED,
                         validate=validate.Regexp(r"^[A-Za-z0-9-]{4,32}$", error="案件编码格式不正确"))
    last4 = fields.String(required=True, error_messages=REQUIRED,
                          validate=validate.Regexp(r"^[0-9]{4}$", error="请输入手机号后四位"))


class RatingIn(TrackIn):
    """A rating of a closed case."""

    rating = fields.Enum(Rating, by_value=True, required=True, error_messages={
        **REQUIRED, "unknown": "请选择满意、基本满意或不满意"})
    comment = _text(0, 500, required=False, load_default="")


def load(schema: Schema, data) -> dict:
    """Load form data, or raise ValidationFailed with the first message per field."""
    try:
        return schema.load(data)
    except ValidationError as exc:
        errors = {name: messages if isinstance(messages, list) else [str(messages)]
                  for name, messages in exc.normalized_messages().items()}
        raise ValidationFailed("提交的信息有误，请按提示修改", errors) from None
