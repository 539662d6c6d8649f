"""Task forms: JSON Schema files (plus optional UI hint files), validated on the server.

Error messages are Chinese and keyed by field path ("parties.0.phone"), so both the
HTML form and the API can show them next to the field.
"""

import json
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError

from app import vocab
from app.clock import local_zone
from app.errors import ValidationFailed

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
FORMAT_CHECKER = FormatChecker()  # the standard formats plus ours below
VOCABULARY_KEYWORD = "x-vocabulary"  # a choice field whose values come from app/vocab.py


@FORMAT_CHECKER.checks("cn-id-number")  # type: ignore[untyped-decorator]  # jsonschema ships no types
def is_cn_id_number(value: object) -> bool:
    """GB 11643-1999: 17 digits and a mod-11 check character; characters 7–14 a real birth date."""
    if not isinstance(value, str):
        return True
    text = value.upper()
    if len(text) != 18 or not text[:17].isdigit() or text[17] not in "0123456789X":
        return False
    check = "10X98765432"[sum(int(c) * w for c, w in zip(text[:17], ID_WEIGHTS, strict=True)) % 11]
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    return text[17] == check and date(1900, 1, 1) <= born


for _name, _check in Draft202012Validator.FORMAT_CHECKER.checkers.items():
    FORMAT_CHECKER.checkers.setdefault(_name, _check)

FORMAT_MESSAGES = {"cn-id-number": "「{label}」不是有效的身份证号（校验位或出生日期不符）",
                   "date": "「{label}」请填写有效日期", "email": "「{label}」请填写有效的电子邮箱"}

NOT_BEFORE = "x-not-before"  # on a date field: the name of a sibling date it may not precede
NOT_FUTURE = "x-not-future"  # on a date field: true when it may not lie after today


def local_day(moment: datetime) -> date:
    """The local calendar day of an aware moment: what 「今天」 means on a form."""
    return moment.astimezone(local_zone()).date()


def not_before_message(label: str, other_label: str) -> str:
    """The Chinese message for a date earlier than the one it may not precede."""
    return f"「{label}」不能早于「{other_label}」"


def not_future_message(label: str) -> str:
    """The Chinese message for a date after today."""
    return f"「{label}」不能晚于今天"


def _as_date(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        return None  # the field's own `format: date` reports it


_BASE_PROPERTIES = Draft202012Validator.VALIDATORS["properties"]


def _properties(validator: Any, properties: Mapping[str, Any], instance: Any,
                schema: Mapping[str, Any]) -> Iterator[ValidationError]:
    """`properties`, plus the cross-field `x-not-before` rules of its children: a rule about two
    siblings can only be checked where both are visible, on the object holding them."""
    yield from _BASE_PROPERTIES(validator, properties, instance, schema)
    if not validator.is_type(instance, "object"):
        return
    for name, prop in properties.items():
        other = prop.get(NOT_BEFORE) if isinstance(prop, Mapping) else None
        if not isinstance(other, str):
            continue
        mine, theirs = _as_date(instance.get(name)), _as_date(instance.get(other))
        if mine and theirs and mine < theirs:
            other_label = properties.get(other, {}).get("title") or other
            yield ValidationError(not_before_message(prop.get("title") or name, other_label),
                                  validator=NOT_BEFORE, validator_value=other, path=[name],
                                  instance=instance.get(name), schema=prop)


@lru_cache(maxsize=8)
def _validator_class(today: date | None) -> Any:
    """Draft 2020-12 with our date keywords; `today` (the caller's clock, local date) decides
    `x-not-future`. Without a date, `x-not-future` is not judged (the schema check only)."""

    def not_future(validator: Any, value: Any, instance: Any,
                   schema: Mapping[str, Any]) -> Iterator[ValidationError]:
        day = _as_date(instance)
        if value is True and today is not None and day is not None and day > today:
            yield ValidationError(not_future_message(schema.get("title") or "日期"))

    return validators.extend(Draft202012Validator,
                             {"properties": _properties, NOT_FUTURE: not_future})


def date_rule_problems(schema: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """(path, Chinese message) for each malformed date rule: an `x-not-before` that names no
    sibling field, an `x-not-future` that is not `true`/`false`."""
    found: list[tuple[str, str]] = []
    props = schema.get("properties", {})
    for name, prop in props.items():
        path = prefix + name
        other = prop.get(NOT_BEFORE)
        if NOT_BEFORE in prop and (not isinstance(other, str) or other not in props or other == name):
            found.append((path, f"「{path}」的 {NOT_BEFORE} 指向的字段「{other}」不在同一层表单中"))
        if NOT_FUTURE in prop and not isinstance(prop[NOT_FUTURE], bool):
            found.append((path, f"「{path}」的 {NOT_FUTURE} 只能是 true 或 false"))
        if prop.get("type") == "object":
            found += date_rule_problems(prop, f"{path}.")
        if prop.get("type") == "array" and isinstance(prop.get("items"), Mapping):
            found += date_rule_problems(prop["items"], f"{path}.[]")
    return found


FORM_SCHEMA_PROPERTY = "formJsonSchemaFilename"
FORM_UI_PROPERTY = "formUiSchemaFilename"


def _label(schema: Mapping[str, Any], path: list[str | int]) -> str:
    """The Chinese title of the field at `path`, or the path itself."""
    node: Any = schema
    for part in path:
        if isinstance(part, int):
            node = node.get("items", {})
        else:
            node = node.get("properties", {}).get(part, {})
    return node.get("title") or ".".join(str(p) for p in path) or "表单"


def _message(error: ValidationError, schema: Mapping[str, Any]) -> tuple[str, str]:
    """Field path and Chinese message for one jsonschema error."""
    path = list(error.absolute_path)
    if error.validator == "required":
        missing = error.message.split("'")[1]
        path = [*path, missing]
        return ".".join(map(str, path)), f"请填写「{_label(schema, path)}」"
    label = _label(schema, path)
    templates = {
        "type": f"「{label}」的格式不正确",
        "enum": f"「{label}」请从给定选项中选择",
        "minLength": f"「{label}」至少需要 {error.validator_value} 个字",
        "maxLength": f"「{label}」最多 {error.validator_value} 个字",
        "minimum": f"「{label}」不能小于 {error.validator_value}",
        "maximum": f"「{label}」不能大于 {error.validator_value}",
        "pattern": f"「{label}」的格式不正确",
        "format": f"「{label}」的格式不正确",
        "minItems": f"「{label}」至少需要 {error.validator_value} 项",
        "maxItems": f"「{label}」最多 {error.validator_value} 项",
        "additionalProperties": f"「{label}」含有表单未定义的字段",
        "const": f"「{label}」的值不正确",
    }
    if error.validator in (NOT_BEFORE, NOT_FUTURE):
        return ".".join(map(str, path)), error.message
    if error.validator == "const" and error.validator_value is True:
        return ".".join(map(str, path)), f"请勾选「{label}」"
    if error.validator == "format" and error.validator_value in FORMAT_MESSAGES:
        return ".".join(map(str, path)), FORMAT_MESSAGES[error.validator_value].format(label=label)
    message = templates.get(str(error.validator), f"「{label}」填写有误")
    return ".".join(map(str, path)) or "_form", message


def parse_form(text: str, name: str) -> dict[str, Any]:
    """Load a form file and check that it is itself a valid JSON Schema."""
    schema: dict[str, Any] = json.loads(text)
    Draft202012Validator.check_schema(schema)
    if schema.get("type", "object") != "object":
        raise ValueError(f"{name}: a form schema must describe an object")
    return schema


def compile_validator(schema: Mapping[str, Any], today: date | None) -> Any:
    """The form's validator for submissions on `today` (reusable: it keeps no per-call state)."""
    return _validator_class(today)(schema, format_checker=FORMAT_CHECKER)


def validate_submission(schema: Mapping[str, Any], data: Mapping[str, Any], *,
                        today: date | None = None, validator: Any = None) -> dict[str, Any]:
    """Validate `data` against the form; return only the fields the form defines.

    `today` is the local date by the caller's clock, for `x-not-future`; every error of the
    submission is collected, so the page can show them all at once.

    Keys the form does not define are refused rather than passed to the process,
    so a submission can never overwrite process variables it was not asked for.
    `validator` is `compile_validator(schema, today)` when the caller keeps one (per deployment).
    """
    declared = set(schema.get("properties", {}))
    errors: dict[str, list[str]] = {}
    for key in sorted(set(data) - declared):
        errors.setdefault(key, []).append("表单中没有这个字段")
    validator = validator or compile_validator(schema, today)
    for error in sorted(validator.iter_errors(dict(data)), key=lambda e: list(e.absolute_path)):
        path, message = _message(error, schema)
        errors.setdefault(path, []).append(message)
    if errors:
        raise ValidationFailed("表单填写有误，请按提示修改", errors)
    return {key: data[key] for key in declared if key in data}


def enum_labels(prop: Mapping[str, Any], hints: Mapping[str, Any]) -> dict[str, str]:
    """Value → Chinese label of an enum (or of an array of enums), from `oneOf` titles,
    the UI hints' `ui:enumNames` or the schema's `enumNames`; empty when none are declared."""
    items = prop.get("items", {}) if prop.get("type") == "array" else {}
    choices = prop.get("oneOf") or items.get("oneOf")
    if choices:
        return {str(o["const"]): str(o["title"]) for o in choices if "const" in o and o.get("title")}
    values = prop.get("enum") or items.get("enum") or []
    names = (hints.get("ui:enumNames") or hints.get("items", {}).get("ui:enumNames")
             or prop.get("enumNames") or items.get("enumNames") or [])
    return {str(v): str(n) for v, n in zip(values, names, strict=False) if str(n).strip()}


def _enum_values(prop: Mapping[str, Any]) -> list[Any]:
    items = prop.get("items", {}) if prop.get("type") == "array" else {}
    if prop.get("oneOf") or items.get("oneOf"):
        return [o.get("const") for o in prop.get("oneOf") or items["oneOf"]]
    return list(prop.get("enum") or items.get("enum") or [])


def _choice_fields(schema: Mapping[str, Any], ui: Mapping[str, Any] | None = None, prefix: str = "",
                   ) -> Iterator[tuple[str, Mapping[str, Any], Mapping[str, Any]]]:
    """(path, property, its UI hints) of every field of a form that offers choices, nested ones too."""
    ui = ui or {}
    for name, prop in schema.get("properties", {}).items():
        hints, path = ui.get(name, {}), prefix + name
        if _enum_values(prop):
            yield path, prop, hints
        if prop.get("type") == "object":
            yield from _choice_fields(prop, hints, f"{path}.")
        if prop.get("type") == "array" and prop.get("items", {}).get("type") == "object":
            yield from _choice_fields(prop["items"], hints.get("items", {}), f"{path}.[]")


def off_vocabulary_enums(schema: Mapping[str, Any]) -> list[tuple[str, str, list[str]]]:
    """(path, vocabulary label, values outside it) for each choice field that must take its
    values from a vocabulary of app/vocab.py: named like one (`channel`, `category`, …) or
    marked `"x-vocabulary": "<name>"`. An unknown `x-vocabulary` name is reported with every value."""
    found = []
    for path, prop, _hints in _choice_fields(schema):
        name = prop.get(VOCABULARY_KEYWORD) or prop.get("items", {}).get(VOCABULARY_KEYWORD) \
            or vocab.FORM_FIELDS.get(path)
        if not name:
            continue
        allowed = vocab.VOCABULARIES[name].values() if name in vocab.VOCABULARIES else ()
        outside = [str(v) for v in _enum_values(prop) if str(v) not in allowed]
        if outside:
            found.append((path, vocab.TITLES.get(name, "未知词表"), outside))
    return found


def unlabelled_enums(schema: Mapping[str, Any], ui: Mapping[str, Any] | None,
                     prefix: str = "") -> list[str]:
    """Paths of the form's choice fields with a value that has no Chinese label."""
    return [path for path, prop, hints in _choice_fields(schema, ui, prefix)
            if any(str(value) not in enum_labels(prop, hints) for value in _enum_values(prop))]
