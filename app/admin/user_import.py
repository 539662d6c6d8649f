"""Bulk import of users and memberships from an Excel sheet: all rows or none.

One row per membership: 用户名 | 姓名 | 单位编码 | 部门编码 (optional) | 角色 | 手机号 (optional;
the column itself may be missing, so five-column sheets from before still import). Rows with the
same username give one user several memberships. Every row is checked before anything is
written; one bad row refuses the whole sheet, and the result names each row.
"""

import io
from dataclasses import dataclass, field
from datetime import datetime

from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from app.admin.access import AdminScope
from app.admin.users import MembershipSpec, check_phone, check_username, create_user, parse_role
from app.errors import OneDoorError, ValidationFailed
from app.extensions import db
from app.org.models import Department, OrgUnit
from app.org.services import Actor

OLD_HEADER = ("用户名", "姓名", "单位编码", "部门编码", "角色")
HEADER = (*OLD_HEADER, "手机号")
MAX_ROWS = 2000


@dataclass
class RowResult:
    """What became of one row of the sheet."""

    row: int
    username: str
    problems: list[str] = field(default_factory=list)
    password: str | None = None

    @property
    def ok(self) -> bool:
        """True when the row has no problem."""
        return not self.problems


class ImportRefused(ValidationFailed):
    """At least one row is wrong: nothing was imported; `rows` says which and why."""

    def __init__(self, message: str, rows: list[RowResult]):
        errors = {f"第{r.row}行": r.problems for r in rows if r.problems}
        super().__init__(message, errors)
        self.rows = rows


def template_workbook() -> bytes:
    """An empty sheet with the header and one example row."""
    book = Workbook()
    sheet = book.active
    sheet.title = "用户导入"
    sheet.append(HEADER)
    sheet.append(("wangwu", "王五", "zy-1-1", "", "综合受理", "13900001111"))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_rows(data: bytes) -> list[tuple[int, list[str]]]:
    """(Excel row number, six cells as text) for every non-empty row below the header."""
    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationFailed("文件无法读取", {"file": ["请上传 .xlsx 格式的 Excel 文件"]}) from exc
    rows = list(sheet.iter_rows(values_only=True))
    header = tuple(str(c or "").strip() for c in (rows[0] if rows else ())[:len(HEADER)])
    if header not in (HEADER, (*OLD_HEADER, "")) and header != OLD_HEADER:
        raise ValidationFailed("表头不正确", {"file": [f"第1行应为表头：{' | '.join(HEADER)}"]})
    width = len(HEADER) if header == HEADER else len(OLD_HEADER)
    body = [(n, [str(c).strip() if c is not None else "" for c in (list(r)[:width] + [None] * 6)[:6]])
            for n, r in enumerate(rows[1:], start=2) if any(c not in (None, "") for c in r)]
    if not body:
        raise ValidationFailed("没有数据", {"file": ["表中没有可导入的行"]})
    if len(body) > MAX_ROWS:
        raise ValidationFailed("行数过多", {"file": [f"一次最多导入 {MAX_ROWS} 行"]})
    return body


def _spec(scope: AdminScope, cells: list[str]) -> MembershipSpec:
    _, _, unit_code, department_code, role = cells[:5]
    unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == unit_code)) if unit_code else None
    if unit is None:
        raise ValidationFailed("单位不存在", {"单位编码": [f"单位编码「{unit_code}」不存在"]})
    if not scope.contains(unit):
        raise ValidationFailed("超出范围", {"单位编码": [f"「{unit.name}」不在您管理的范围内"]})
    parse_role(role, "角色")
    if not department_code:
        return MembershipSpec(org_unit_id=unit.id, role=role)
    department = db.session.scalar(select(Department).where(
        Department.code == department_code, Department.org_unit_id == unit.id))
    if department is None:
        raise ValidationFailed("部门不存在", {"部门编码": [
            f"「{unit.name}」没有编码为「{department_code}」的部门"]})
    return MembershipSpec(org_unit_id=None, role=role, department_id=department.id)


def _check_row(scope: AdminScope, n: int, cells: list[str], names: dict[str, str],
               seen_rows: dict[str, int], *,
               phones: dict[str, str | None]) -> tuple[RowResult, MembershipSpec | None]:
    username, name = cells[0], cells[1]
    result, spec = RowResult(n, username), None

    def phone():
        number = check_phone(cells[5], "手机号")
        if number and phones.setdefault(username, number) != number:
            raise ValidationFailed("手机号不一致", {
                "手机号": [f"与第{seen_rows[username]}行同一用户名的手机号不一致"]})

    checks = [lambda: None if username in seen_rows else check_username(username, "用户名"),
              phone,
              lambda: None if name else _missing("姓名"),
              lambda: None if names.setdefault(username, name) == name else _differs(seen_rows[username])]
    for check in checks:
        try:
            check()
        except OneDoorError as exc:
            result.problems += [f"{f}：{m}" for f, ms in exc.errors.items() for m in ms]
    try:
        spec = _spec(scope, cells)
    except OneDoorError as exc:
        result.problems += [f"{f}：{m}" for f, ms in exc.errors.items() for m in ms]
    seen_rows.setdefault(username, n)
    return result, spec


def _missing(label: str):
    raise ValidationFailed("必填", {label: ["必填"]})


def _differs(first_row: int):
    raise ValidationFailed("姓名不一致", {"姓名": [f"与第{first_row}行同一用户名的姓名不一致"]})


def import_users(scope: AdminScope, data: bytes, *, actor: Actor, now: datetime) -> list[RowResult]:
    """Check every row; create all users (one-time passwords) or raise ImportRefused."""
    results: list[RowResult] = []
    specs: dict[str, list[MembershipSpec]] = {}
    names: dict[str, str] = {}
    seen: dict[str, int] = {}
    phones: dict[str, str | None] = {}
    for n, cells in read_rows(data):
        result, spec = _check_row(scope, n, cells, names, seen, phones=phones)
        results.append(result)
        if spec is not None:
            specs.setdefault(cells[0], []).append(spec)
    bad = [r for r in results if not r.ok]
    if bad:
        raise ImportRefused(f"共 {len(results)} 行，其中 {len(bad)} 行有误，未导入任何数据", results)
    passwords: dict[str, str] = {}
    for username, user_specs in specs.items():
        _, passwords[username] = create_user(scope, username, names[username], user_specs,
                                             actor=actor, now=now, phone=phones.get(username))
    for result in results:
        if seen[result.username] == result.row:
            result.password = passwords[result.username]
    return results
