"""Load and check forms.toml: the forms, their columns, and the roles the report reads.

Each form has a ``role`` (documents, inspection, party_committees, indicators or none) and
the columns the report needs carry a column ``role``; aggregation and the report find their
tables and columns by role, never by form code or column key. A text column may ``feeds``
an outline item (or split by recipient) so its answers join the synthesis there. Every
mistake names the file, the form and the fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sonket_gsync.campaign.model import COLUMN_ROLES, COLUMN_TYPES, FORM_ROLE_NAMES, FORM_ROLES, RECIPIENT_PARTS, ROW_MODES, Column, Form
from sonket_gsync.core.errors import ConfigError
from sonket_gsync.core.text import clean, header_key, parse_date

# Sheet titles cannot hold these characters in Excel (and Google follows for exports).
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def load_forms(path: Path, read_toml: Callable[[Path], dict[str, Any]], outline_keys: set[str] | None = None) -> tuple[Form, ...]:
    doc = read_toml(path)
    if "forms" not in doc:
        raise ConfigError("Thiếu mục 'forms'.", where=str(path), fix="Thêm mục [[forms]] theo mẫu.")
    forms = []
    for index, raw in enumerate(doc["forms"]):
        at = f"{path}, biểu mẫu thứ {index + 1}"
        code = required_text(raw, "code", at)
        forms.append(_form(raw, code, f"{path}, biểu mẫu {code}", outline_keys))
    no_duplicates([f.code for f in forms], "biểu mẫu", str(path))
    no_duplicates([f.sheet for f in forms], "trang tính", str(path))
    for role in FORM_ROLES:
        having = [f.code for f in forms if f.role == role]
        if role != "none" and len(having) > 1:
            raise ConfigError(
                f"Có {len(having)} biểu mẫu cùng vai trò '{role}' ({', '.join(having)}); báo cáo chỉ đọc một biểu mẫu cho mỗi vai trò.",
                where=f"{path}, biểu mẫu {having[1]}, role",
                fix=f'Giữ role = "{role}" ở một biểu mẫu, đặt role = "none" cho biểu mẫu còn lại.',
            )
    _check_documents_heading(forms, path)
    return tuple(forms)


def _form(raw: dict, code: str, at: str, outline_keys: set[str] | None) -> Form:
    rows = raw.get("rows", "open")
    if rows not in ROW_MODES:
        raise ConfigError(f"rows = '{rows}' không hợp lệ.", where=at, fix=f"Dùng một trong: {', '.join(ROW_MODES)}.")
    sheet = required_text(raw, "sheet", at)
    if len(sheet) > 31 or _BAD_SHEET_CHARS.search(sheet):
        raise ConfigError(
            f"Tên trang tính '{sheet}' không hợp lệ.",
            where=f"{at}, sheet",
            fix="Tên trang tính tối đa 31 ký tự và không chứa [ ] : * ? / \\.",
        )
    raw_columns = raw.get("columns") or []
    if not raw_columns:
        raise ConfigError("Biểu mẫu không có cột nào.", where=f"{at}, [[forms.columns]]", fix="Khai báo các cột của biểu mẫu.")
    columns = tuple(_column(c, f"{at}, cột thứ {i + 1}", outline_keys) for i, c in enumerate(raw_columns))
    no_duplicates([c.key for c in columns], "cột", at)
    no_duplicates([header_key(c.header) for c in columns], "tiêu đề cột", at)
    keys = {c.key for c in columns}
    for col in columns:
        if col.required_when and col.required_when[0] not in keys:
            raise ConfigError(
                f"Cột '{col.key}' bắt buộc theo cột '{col.required_when[0]}' nhưng cột đó không có.",
                where=f"{at}, cột {col.key}, required_when",
                fix=f"Dùng một trong các cột: {', '.join(sorted(keys))}.",
            )
    fixed_rows = tuple(clean(r) for r in raw.get("fixed_rows", ()))
    if rows == "fixed" and not fixed_rows:
        raise ConfigError('Biểu mẫu rows = "fixed" cần danh sách fixed_rows.', where=at, fix='Khai báo fixed_rows = ["..."].')
    if rows in ("fixed", "indicators") and not columns[0].fixed:
        raise ConfigError(
            "Cột đầu của biểu mẫu có dòng cố định phải là cột cố định (fixed = true).",
            where=f"{at}, cột {columns[0].key}",
            fix="Đặt fixed = true cho cột nhãn dòng.",
        )
    form = Form(
        code=code,
        appendix=clean(raw.get("appendix", "")),
        title=required_text(raw, "title", at),
        sheet=sheet,
        rows=rows,
        columns=columns,
        note=clean(raw.get("note", "")),
        blank_rows=int(raw.get("blank_rows", 20)),
        fixed_rows=fixed_rows,
        role=clean(raw.get("role", "none")) or "none",
        appendix_title=clean(raw.get("appendix_title", "")),
        documents_heading=clean(raw.get("documents_heading", "")),
    )
    _check_roles(form, at)
    return form


def _check_roles(form: Form, at: str) -> None:
    if form.role not in FORM_ROLES:
        raise ConfigError(
            f"Vai trò biểu mẫu '{form.role}' không hợp lệ.",
            where=f"{at}, role",
            fix=f"Dùng một trong: {', '.join(FORM_ROLES)} (none = báo cáo không đọc biểu mẫu này).",
        )
    required, optional = COLUMN_ROLES[form.role]
    allowed = set(required) | set(optional)
    roles = [c.role for c in form.columns if c.role]
    for col in form.columns:
        if col.role and col.role not in allowed:
            listed = ", ".join(sorted(allowed)) if allowed else "(không có: bỏ role ở cột này)"
            raise ConfigError(
                f"Cột '{col.key}' có vai trò '{col.role}' không dùng được trong biểu mẫu vai trò '{form.role}'.",
                where=f"{at}, cột {col.key}, role",
                fix=f"Dùng một trong: {listed}.",
            )
    no_duplicates(roles, "vai trò cột", at)
    missing = [r for r in required if r not in roles]
    if missing:
        raise ConfigError(
            f"Biểu mẫu vai trò '{form.role}' ({FORM_ROLE_NAMES[form.role]}) thiếu cột có vai trò: {', '.join(missing)}.",
            where=f"{at}, [[forms.columns]]",
            fix=f'Thêm role = "{missing[0]}" vào cột tương ứng (mỗi vai trò một cột).',
        )
    if form.role == "documents" and form.role_column("issuer").type != "choice":
        raise ConfigError(
            "Cột cơ quan ban hành của biểu mẫu văn bản phải là kiểu choice (các đề mục I, II, … của phụ lục).",
            where=f"{at}, cột {form.role_column('issuer').key}, type",
            fix='Đặt type = "choice" và liệt kê các cơ quan ban hành trong choices.',
        )
    if form.role in ("inspection", "indicators") and form.key_column is not form.column_for("body" if form.role == "inspection" else "code"):
        raise ConfigError(
            "Cột nhãn dòng (cột đầu, cố định) phải mang vai trò " + ("body" if form.role == "inspection" else "code") + ".",
            where=f"{at}, cột {form.columns[0].key}",
            fix='Đặt role cho cột đầu của biểu mẫu, và rows = "fixed" (kiểm tra) hoặc "indicators" (chỉ tiêu).',
        )
    if form.role == "indicators" and not form.year_columns:
        raise ConfigError("Biểu mẫu chỉ tiêu không có cột năm nào.", where=at, fix="Thêm year = 2024 (…) cho các cột số liệu theo năm.")


def _check_documents_heading(forms: list[Form], path: Path) -> None:
    documents = next((f for f in forms if f.role == "documents"), None)
    for form in forms:
        if not form.documents_heading:
            continue
        choices = documents.role_column("issuer").choices if documents else ()
        if form.documents_heading not in choices:
            raise ConfigError(
                f"documents_heading = '{form.documents_heading}' không phải một cơ quan ban hành của biểu mẫu văn bản.",
                where=f"{path}, biểu mẫu {form.code}, documents_heading",
                fix=f"Dùng một trong: {', '.join(choices)}." if choices else "Bỏ documents_heading (chiến dịch không có biểu mẫu văn bản).",
            )


def _column(raw: dict, at: str, outline_keys: set[str] | None) -> Column:
    key = required_text(raw, "key", at)
    at = f"{at.rsplit(',', 1)[0]}, cột {key}"
    ctype = raw.get("type", "text")
    if ctype not in COLUMN_TYPES:
        raise ConfigError(f"Kiểu cột '{ctype}' không hợp lệ.", where=f"{at}, type", fix=f"Dùng một trong: {', '.join(COLUMN_TYPES)}.")
    choices = tuple(clean(c) for c in raw.get("choices", ()))
    if ctype == "choice" and not choices:
        raise ConfigError("Cột kiểu choice cần danh sách choices.", where=at, fix='Thêm choices = ["Có", "Không"].')
    when = raw.get("required_when")
    return Column(
        key=key,
        header=required_text(raw, "header", at),
        type=ctype,
        required=bool(raw.get("required", False)),
        required_when=(clean(when["column"]), clean(when["equals"])) if when else None,
        choices=choices,
        min=_bound(raw.get("min"), ctype, f"{at}, min"),
        max=_bound(raw.get("max"), ctype, f"{at}, max"),
        max_length=int(raw.get("max_length", 5000)),
        fixed=bool(raw.get("fixed", False)),
        year=int(raw["year"]) if "year" in raw else None,
        number=clean(raw.get("number", "")),
        width=int(raw.get("width", 20)),
        aliases=tuple(clean(a) for a in raw.get("aliases", ())),
        role=clean(raw.get("role", "")),
        group_header=clean(raw.get("group_header", "")),
        feeds=_feeds(raw.get("feeds"), ctype, f"{at}, feeds", outline_keys),
    )


def _feeds(value: Any, ctype: str, at: str, outline_keys: set[str] | None) -> tuple[tuple[str, str], ...]:
    """feeds = "III.2"  or  feeds = { trung_uong = "V.1", tinh_uy = "V.2", other = "V.2" }."""
    if value is None:
        return ()
    fix = 'Ghi feeds = "III.2" (mục đề cương) hoặc feeds = { trung_uong = "V.1", tinh_uy = "V.2", other = "V.2" }.'
    if ctype != "text":
        raise ConfigError('Chỉ cột văn bản (type = "text") mới đưa được ý kiến vào đề cương.', where=at, fix="Bỏ feeds ở cột này.")
    if isinstance(value, str):
        pairs = [("", clean(value))]
    elif isinstance(value, dict) and value and set(value) <= set(RECIPIENT_PARTS):
        pairs = [(part, clean(value[part])) for part in RECIPIENT_PARTS if part in value]
    else:
        raise ConfigError(f"feeds = {value!r} không hợp lệ.", where=at, fix=fix)
    for _, item in pairs:
        if outline_keys is not None and item not in outline_keys:
            raise ConfigError(
                f"Mục đề cương '{item}' không có trong outline.toml.",
                where=at,
                fix=f"Dùng một trong: {', '.join(sorted(outline_keys))}.",
            )
    return tuple(pairs)


def _bound(value: Any, ctype: str, at: str) -> float | date | None:
    if value is None:
        return None
    if ctype == "date":
        parsed = parse_date(str(value))
        if parsed is None:
            raise ConfigError(f"Ngày '{value}' không đúng dạng.", where=at, fix="Ghi ngày theo dạng dd/mm/yyyy.")
        return parsed
    if isinstance(value, (int, float)):
        return float(value)
    raise ConfigError(f"Giới hạn '{value}' phải là số.", where=at, fix="Ghi một số, ví dụ min = 0.")


def required_text(table: dict, key: str, where: str) -> str:
    """A text field that must be there (config.py uses it too)."""
    value = clean(table.get(key, ""))
    if not value:
        raise ConfigError(f"Thiếu trường '{key}'.", where=where, fix=f'Thêm {key} = "...".')
    return value


def no_duplicates(codes: list[str], what: str, where: str) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise ConfigError(f"Mã {what} '{code}' bị trùng.", where=where, fix="Mỗi mã chỉ được dùng một lần.")
        seen.add(code)
