"""Load and check a campaign folder under config/ into a typed ``Campaign``.

A campaign folder holds campaign.toml (the campaign, sharing, unit groups), units.csv (the
units, kept by staff in Excel), forms.toml (the forms, column by column), indicators.csv
(the indicators and how each aggregates) and outline.toml (Đề cương báo cáo). Everything
read here is NFC-normalised. A mistake stops loading with the file, the line or field, and
the fix.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
import unicodedata
from datetime import datetime, time
from pathlib import Path
from typing import Any

from sonket_gsync.campaign.load_forms import load_forms, no_duplicates, required_text
from sonket_gsync.campaign.model import (
    AGGREGATES,
    OUTLINE_FIGURES,
    SHARING_MODES,
    SUBMISSION_COUNTS,
    Campaign,
    Checks,
    Contradiction,
    DocumentInfo,
    DocumentType,
    Form,
    Group,
    Indicator,
    OutlineItem,
    OutlineSection,
    ReminderSettings,
    SubmissionSettings,
    Unit,
)
from sonket_gsync.core.errors import ConfigError
from sonket_gsync.core.text import TZ, clean, parse_date

# A unit code names files, folders, Drive appProperties (key + value at most 124 bytes) and
# web addresses: letters without accents, digits, '_' and '-', at most this many characters.
MAX_UNIT_CODE = 40
_UNIT_CODE = re.compile(r"[A-Za-z0-9_\-]+")
# An address a mail server accepts and a spreadsheet cannot take for a formula.
_EMAIL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)+")


def load_campaign(folder: Path | str) -> Campaign:
    folder = Path(folder)
    if not (folder / "campaign.toml").is_file():
        raise ConfigError(
            "Không tìm thấy tệp campaign.toml của chiến dịch.",
            where=str(folder),
            fix="Chỉ đến thư mục chiến dịch (ví dụ config/so-ket-45-nq-tw) bằng --config hoặc SONKET_CAMPAIGN_DIR.",
        )
    doc = _read_toml(folder / "campaign.toml")
    meta = _require(doc, "campaign", folder / "campaign.toml")
    where = str(folder / "campaign.toml")

    groups = tuple(_group(g, i, where) for i, g in enumerate(_require(doc, "groups", folder / "campaign.toml")))
    no_duplicates([g.code for g in groups], "nhóm đơn vị", where)
    indicators = _load_indicators(folder / "indicators.csv")
    outline_title, outline = _load_outline(folder / "outline.toml")
    outline_keys = {item.key for section in outline for item in section.answerable}
    forms = load_forms(folder / "forms.toml", _read_toml, outline_keys)
    form_codes = {f.code for f in forms}
    for g in groups:
        for code in g.forms:
            if code not in form_codes:
                raise ConfigError(
                    f"Nhóm '{g.code}' dùng biểu mẫu '{code}' nhưng biểu mẫu này không có trong forms.toml.",
                    where=f'{where}, [[groups]] code = "{g.code}", forms',
                    fix=f"Dùng một trong các mã: {', '.join(sorted(form_codes))}.",
                )
    units = _load_units(folder / "units.csv", {g.code for g in groups})
    _check_responsible(indicators, units, folder / "indicators.csv")
    deadline_text = required_text(meta, "deadline", where)
    deadline_day = parse_date(deadline_text)
    if deadline_day is None:
        raise ConfigError(
            f"Hạn nộp '{deadline_text}' không đúng dạng ngày.",
            where=f"{where}, [campaign] deadline",
            fix='Ghi ngày theo dạng dd/mm/yyyy, ví dụ "20/04/2026".',
        )
    sharing = doc.get("sharing", {}).get("mode", "writers")
    if sharing not in SHARING_MODES:
        raise ConfigError(
            f"Chế độ chia sẻ '{sharing}' không hợp lệ.",
            where=f"{where}, [sharing] mode",
            fix='Dùng "writers" (chia sẻ cho email đơn vị) hoặc "anyone_with_link" (ai có đường dẫn đều sửa được).',
        )
    return Campaign(
        folder=folder,
        code=required_text(meta, "code", where),
        name=required_text(meta, "name", where),
        short_name=clean(meta.get("short_name", meta.get("name", ""))),
        resolution=required_text(meta, "resolution", where),
        plan=required_text(meta, "plan", where),
        subject=clean(meta.get("subject", "")),
        province=required_text(meta, "province", where),
        issuing_body=clean(meta.get("issuing_body", "")),
        compiled_by=required_text(meta, "compiled_by", where),
        reports_to=clean(meta.get("reports_to", "")),
        deadline=datetime.combine(deadline_day, time(23, 59, 59), tzinfo=TZ),
        report_title=clean(meta.get("report_title", meta.get("name", ""))),
        indicator_years=tuple(int(y) for y in meta.get("indicator_years", ())),
        estimated_years=tuple(int(y) for y in meta.get("estimated_years", ())),
        sharing=sharing,
        groups=groups,
        units=units,
        forms=forms,
        indicators=indicators,
        outline_title=outline_title,
        outline=outline,
        document=_document(doc.get("document", {}), folder, f"{where}, [document]"),
        checks=_load_checks(folder / "checks.toml", forms),
        submission=_submission(doc.get("submission", {}), f"{where}, [submission]"),
        reminders=_reminders(doc["reminders"], f"{where}, [reminders]") if "reminders" in doc else None,
    )


def _submission(raw: Any, where: str) -> SubmissionSettings:
    """[submission] (optional): count = "latest_valid" (default) | "confirmed"."""
    if not isinstance(raw, dict):
        raise ConfigError("[submission] phải là một mục.", where=where, fix='Ghi [submission] rồi dòng count = "latest_valid".')
    count = raw.get("count", "latest_valid")
    if count not in SUBMISSION_COUNTS:
        raise ConfigError(
            f"Cách tính số liệu '{count}' không hợp lệ.",
            where=f"{where}, count",
            fix='Dùng "latest_valid" (tính bản hợp lệ mới nhất của đơn vị) hoặc "confirmed" (chỉ tính bản đơn vị đã xác nhận gửi).',
        )
    return SubmissionSettings(count=count)


def _reminders(raw: Any, where: str) -> ReminderSettings:
    """[reminders]: before_days = [7, 3, 1], overdue_every_days = 2, send_at = "08:00"."""
    if not isinstance(raw, dict):
        raise ConfigError("[reminders] phải là một mục.", where=where, fix="Ghi [reminders] rồi các dòng before_days, overdue_every_days, send_at.")
    defaults = ReminderSettings()
    before = raw.get("before_days", list(defaults.before_days))
    if not isinstance(before, list) or not all(isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in before):
        raise ConfigError(
            f"before_days = {before!r} không hợp lệ.",
            where=f"{where}, before_days",
            fix="Ghi danh sách số ngày dương trước hạn nộp, ví dụ before_days = [7, 3, 1].",
        )
    every = raw.get("overdue_every_days", defaults.overdue_every_days)
    if not isinstance(every, int) or isinstance(every, bool) or every < 0:
        raise ConfigError(
            f"overdue_every_days = {every!r} không hợp lệ.",
            where=f"{where}, overdue_every_days",
            fix="Ghi số ngày nguyên không âm giữa hai lần nhắc khi đã quá hạn (0 = không nhắc sau hạn), ví dụ 2.",
        )
    send_at_text = clean(str(raw.get("send_at", defaults.send_at.strftime("%H:%M"))))
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", send_at_text)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise ConfigError(
            f"Giờ gửi nhắc '{send_at_text}' không hợp lệ.",
            where=f"{where}, send_at",
            fix='Ghi giờ theo dạng HH:MM (giờ Việt Nam), ví dụ send_at = "08:00".',
        )
    return ReminderSettings(
        before_days=tuple(sorted(set(before), reverse=True)),
        overdue_every_days=every,
        send_at=time(int(match[1]), int(match[2])),
    )


def _document(raw: dict, folder: Path, where: str) -> DocumentInfo:
    """[document]: the Party document's header, title and signature (all optional)."""
    recipients = raw.get("recipients", [])
    if not isinstance(recipients, list):
        raise ConfigError("recipients phải là danh sách.", where=f"{where}, recipients", fix='Ghi recipients = ["Các đ/c UVTV", "Lưu VPTU"].')
    template = clean(raw.get("template", ""))
    if template and not (folder / template).is_file():
        raise ConfigError(
            f"Không tìm thấy mẫu báo cáo '{template}' trong thư mục chiến dịch.",
            where=f"{where}, template",
            fix="Đặt tệp .docx vào thư mục chiến dịch, hoặc bỏ dòng template để dùng mẫu mặc định.",
        )
    fields = {
        f: clean(str(raw[f]))
        for f in (
            "issuer",
            "number",
            "place",
            "year",
            "doc_type",
            "subject",
            "signing_authority",
            "signer_title",
            "signer_name",
            "opening",
        )
        if f in raw
    }
    return DocumentInfo(**fields, recipients=tuple(clean(r) for r in recipients), template=template)


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ConfigError(f"Thiếu tệp {path.name}.", where=str(path), fix="Tạo tệp theo mẫu trong config/so-ket-45-nq-tw.")
    try:
        return tomllib.loads(_read_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"Tệp {path.name} sai cú pháp TOML: {exc}.",
            where=str(path),
            fix="Sửa dòng được chỉ ra (chú ý dấu ngoặc kép và dấu phẩy).",
        ) from None


def _read_text(path: Path) -> str:
    if not path.is_file():
        raise ConfigError(
            f"Thiếu tệp {path.name} trong thư mục chiến dịch.",
            where=str(path),
            fix=f"Tạo tệp {path.name} theo mẫu trong thư mục chiến dịch có sẵn (config/so-ket-45-nq-tw).",
        )
    try:
        return unicodedata.normalize("NFC", path.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        raise ConfigError(
            f"Không đọc được tệp {path.name} ({exc.strerror or exc}).",
            where=str(path),
            fix="Kiểm tra quyền đọc tệp và đóng chương trình đang khóa tệp.",
        ) from None
    except UnicodeDecodeError:
        raise ConfigError(
            f"Tệp {path.name} không phải mã hóa UTF-8.",
            where=str(path),
            fix="Trong Excel chọn Lưu thành… > 'CSV UTF-8 (Comma delimited)'.",
        ) from None


def _require(doc: dict, key: str, path: Path) -> Any:
    if key not in doc:
        raise ConfigError(f"Thiếu mục '{key}'.", where=str(path), fix=f"Thêm mục [{key}] theo mẫu.")
    return doc[key]


def _group(raw: dict, index: int, where: str) -> Group:
    at = f"{where}, nhóm thứ {index + 1}"
    return Group(
        code=required_text(raw, "code", at),
        number=int(raw.get("number", index + 1)),
        name=required_text(raw, "name", at),
        forms=tuple(clean(f) for f in raw.get("forms", ())),
        narrative=bool(raw.get("narrative", True)),
    )


def _load_units(path: Path, group_codes: set[str]) -> tuple[Unit, ...]:
    rows = _read_csv(path, required=("code", "name", "group"))
    units: list[Unit] = []
    seen: dict[str, tuple[int, str]] = {}  # case-folded code -> (line, code as written)
    emails_seen: dict[str, tuple[int, str]] = {}  # case-folded email -> (line, unit code)
    for line, row in rows:
        at = f"{path}, dòng {line}"
        code, name, group = row["code"], row["name"], row["group"]
        if not code or not name:
            raise ConfigError("Dòng thiếu mã hoặc tên đơn vị.", where=at, fix="Điền đủ cột code và name.")
        if not _UNIT_CODE.fullmatch(code):
            raise ConfigError(
                f"Mã đơn vị '{_short(code)}' có ký tự không hợp lệ.",
                where=f"{at}, cột code",
                fix="Mã chỉ gồm chữ không dấu, số, '_' hoặc '-' (ví dụ X_XUAN_LOC).",
            )
        if len(code) > MAX_UNIT_CODE:
            raise ConfigError(
                f"Mã đơn vị '{_short(code)}' dài {len(code)} ký tự, quá giới hạn {MAX_UNIT_CODE} ký tự.",
                where=f"{at}, cột code",
                fix=f"Rút gọn mã còn tối đa {MAX_UNIT_CODE} ký tự (tên đầy đủ ghi ở cột name).",
            )
        if code.casefold() in seen:
            first_line, first_code = seen[code.casefold()]
            same = "bị trùng" if first_code == code else f"trùng với mã '{first_code}' (chỉ khác chữ hoa/thường)"
            raise ConfigError(
                f"Mã đơn vị '{code}' {same}, đã có ở dòng {first_line}.",
                where=f"{at}, cột code",
                fix="Đặt cho mỗi đơn vị một mã riêng; mã không phân biệt chữ hoa và chữ thường.",
            )
        if group not in group_codes:
            raise ConfigError(
                f"Đơn vị '{code}' thuộc nhóm '{group}' không có trong campaign.toml.",
                where=f"{at}, cột group",
                fix=f"Dùng một trong các nhóm: {', '.join(sorted(group_codes))}.",
            )
        emails = tuple(e.strip() for e in re.split(r"[;,\s]+", row.get("emails", "")) if e.strip())
        for email in emails:
            if not _EMAIL.fullmatch(email):
                raise ConfigError(
                    f"Email '{_short(email)}' của đơn vị '{code}' không hợp lệ.",
                    where=f"{at}, cột emails",
                    fix="Ghi email đầy đủ dạng ten@mien.vn (không bắt đầu bằng = + - @); nhiều email cách nhau bằng dấu chấm phẩy.",
                )
            if email.casefold() in emails_seen:
                other_line, other_code = emails_seen[email.casefold()]
                owner = "chính đơn vị này" if other_code == code else f"đơn vị '{other_code}' (dòng {other_line})"
                raise ConfigError(
                    f"Email '{email}' của đơn vị '{code}' bị trùng: đã ghi cho {owner}.",
                    where=f"{at}, cột emails",
                    fix="Mỗi email chỉ ghi một lần, cho đúng một đơn vị (người phụ trách nhiều đơn vị dùng email riêng của từng đơn vị).",
                )
            emails_seen[email.casefold()] = (line, code)
        seen[code.casefold()] = (line, code)
        units.append(Unit(code=code, name=name, group=group, emails=emails, order=len(units)))
    if not units:
        raise ConfigError("Danh sách đơn vị trống.", where=str(path), fix="Thêm ít nhất một đơn vị.")
    return tuple(units)


def _short(text: str, limit: int = 50) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _read_csv(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(_read_text(path)))
    header = [clean(h) for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    if missing:
        raise ConfigError(
            f"Tệp {path.name} thiếu cột: {', '.join(missing)}.",
            where=f"{path}, dòng 1 (tiêu đề)",
            fix=f"Dòng đầu phải có các cột: {', '.join(required)}.",
        )
    names = [(k, clean(k)) for k in reader.fieldnames or ()]
    out = []
    for row in reader:
        values = {name: _cell(row[k]) for k, name in names if k is not None}
        if any(values.values()):
            out.append((reader.line_num, values))
    return out


def _cell(value: str | None) -> str:
    """``clean(value)``, with the common case (printable text already NFC: no control
    character, no line end) done by a strip: the same result, a fraction of the cost."""
    if value is None:
        return ""
    if value.isprintable() and unicodedata.is_normalized("NFC", value):
        return value.strip()
    return clean(value)


def _load_indicators(path: Path) -> tuple[Indicator, ...]:
    rows = _read_csv(path, required=("code", "name", "unit_of_measure", "value_type", "aggregate"))
    indicators: list[Indicator] = []
    for line, row in rows:
        at = f"{path}, dòng {line}"
        if row["value_type"] not in ("integer", "number", "percent"):
            raise ConfigError(
                f"Kiểu số liệu '{row['value_type']}' không hợp lệ.",
                where=f"{at}, cột value_type",
                fix="Dùng integer, number hoặc percent.",
            )
        if row["aggregate"] not in AGGREGATES:
            raise ConfigError(
                f"Cách tổng hợp '{row['aggregate']}' không hợp lệ.",
                where=f"{at}, cột aggregate",
                fix=f"Dùng một trong: {', '.join(AGGREGATES)}.",
            )
        target = row.get("target_2030", "")
        try:
            target_value = float(target.replace(",", ".")) if target else None
        except ValueError:
            raise ConfigError(f"Mục tiêu 2030 '{target}' không phải là số.", where=f"{at}, cột target_2030", fix="Ghi một số, ví dụ 60.") from None
        if target_value is not None and row["value_type"] == "integer" and not target_value.is_integer():
            raise ConfigError(
                f"Mục tiêu 2030 '{target}' không phải số nguyên, trong khi chỉ tiêu này có kiểu integer.",
                where=f"{at}, cột target_2030",
                fix="Ghi một số nguyên (ví dụ 12), hoặc đổi value_type thành number nếu chỉ tiêu có phần thập phân.",
            )
        indicators.append(
            Indicator(
                code=row["code"],
                name=row["name"],
                unit_of_measure=row["unit_of_measure"],
                value_type=row["value_type"],
                target_2030=target_value,
                aggregate=row["aggregate"],
                weight=row.get("weight", ""),
                reported_by=tuple(c for c in re.split(r"[;,\s]+", row.get("reported_by", "")) if c),
                sample=row.get("sample", "").casefold() in ("yes", "true", "1", "có"),
                responsible=row.get("responsible", ""),
            )
        )
        ind = indicators[-1]
        if ind.aggregate == "unit" and not ind.responsible:
            raise ConfigError(
                f"Chỉ tiêu {ind.code} lấy số liệu của đơn vị chịu trách nhiệm nhưng chưa ghi đơn vị đó.",
                where=f"{at}, cột responsible",
                fix="Ghi mã đơn vị (trong units.csv) chịu trách nhiệm về số liệu toàn tỉnh của chỉ tiêu, ví dụ SO_TC.",
            )
        if ind.responsible and ind.aggregate != "unit":
            raise ConfigError(
                f"Chỉ tiêu {ind.code} có đơn vị chịu trách nhiệm ({ind.responsible}) nhưng cách tổng hợp là '{ind.aggregate}'.",
                where=f"{at}, cột aggregate",
                fix="Ghi aggregate = unit để lấy số liệu của đơn vị chịu trách nhiệm, hoặc xóa cột responsible.",
            )
    codes = [i.code for i in indicators]
    no_duplicates(codes, "chỉ tiêu", str(path))
    for ind in indicators:
        if ind.aggregate == "weighted_mean" and ind.weight not in codes:
            raise ConfigError(
                f"Chỉ tiêu {ind.code} tính trung bình có trọng số theo '{ind.weight}' nhưng không có chỉ tiêu đó.",
                where=f"{path}, chỉ tiêu {ind.code}, cột weight",
                fix="Ghi mã chỉ tiêu dùng làm trọng số (ví dụ CT04).",
            )
    return tuple(indicators)


def _check_responsible(indicators: tuple[Indicator, ...], units: tuple[Unit, ...], path: Path) -> None:
    """Every ``responsible`` unit of indicators.csv is a unit of units.csv."""
    known = {u.code for u in units}
    for ind in indicators:
        if ind.responsible and ind.responsible not in known:
            raise ConfigError(
                f"Chỉ tiêu {ind.code} ghi đơn vị chịu trách nhiệm '{ind.responsible}' nhưng không có đơn vị mã này.",
                where=f"{path}, chỉ tiêu {ind.code}, cột responsible",
                fix="Ghi đúng mã đơn vị như trong units.csv (cột code).",
            )


def _load_checks(path: Path, forms: tuple[Form, ...]) -> Checks:
    """checks.toml (optional): document types and who may issue them, answers one unit cannot
    both give, words of a matter only the centre decides."""
    if not path.is_file():
        return Checks()
    doc = _read_toml(path)
    issuers = {c for f in forms if f.role == "documents" for c in f.role_column("issuer").choices}
    types = []
    for i, raw in enumerate(doc.get("document_types", []), start=1):
        at = f"{path}, [[document_types]] thứ {i}"
        code, name = clean(raw.get("code", "")), clean(raw.get("name", ""))
        allowed = tuple(clean(x) for x in raw.get("issuers", []))
        if not code or not name:
            raise ConfigError("Loại văn bản cần có code (chữ viết tắt trong số văn bản) và name.", where=at, fix='Ví dụ: code = "NQ", name = "Nghị quyết".')
        unknown = [x for x in allowed if x not in issuers]
        if unknown:
            raise ConfigError(
                f"Loại văn bản {name} ghi cơ quan ban hành không có trong danh sách chọn: {', '.join(unknown)}.",
                where=f"{at}, issuers",
                fix=f"Dùng các lựa chọn của cột cơ quan ban hành trong forms.toml: {', '.join(sorted(issuers))}.",
            )
        types.append(DocumentType(code=code, name=name, issuers=allowed))
    contradictions = []
    for i, raw in enumerate(doc.get("contradictions", []), start=1):
        at = f"{path}, [[contradictions]] thứ {i}"
        yes, no = (tuple(clean(x) for x in raw.get(k, []) if clean(x)) for k in ("yes", "no"))
        if not yes or not no or not clean(raw.get("about", "")):
            raise ConfigError(
                "Cặp câu trả lời mâu thuẫn cần có about, yes và no (danh sách cụm từ).", where=at, fix='Ví dụ: about = "…", yes = ["…"], no = ["…"].'
            )
        contradictions.append(Contradiction(about=clean(raw["about"]), yes=yes, no=no))
    centre = doc.get("addressees", {}).get("centre_only")
    return Checks(
        document_types=tuple(types),
        contradictions=tuple(contradictions),
        centre_only=tuple(clean(x) for x in centre if clean(x)) if centre is not None else None,
    )


def _load_outline(path: Path) -> tuple[str, tuple[OutlineSection, ...]]:
    doc = _read_toml(path)
    sections = []
    for index, raw in enumerate(_require(doc, "sections", path)):
        at = f"{path}, mục thứ {index + 1}"
        number = required_text(raw, "number", at)
        items = tuple(
            OutlineItem(
                key=f"{number}.{clean(item['number'])}",
                number=clean(item["number"]),
                title=required_text(item, "title", f"{at}, tiểu mục {i + 1}"),
                guidance=tuple(clean(g) for g in item.get("guidance", ())),
                figures=_figures(item, f"{at}, tiểu mục {i + 1}"),
            )
            for i, item in enumerate(raw.get("items", ()))
        )
        sections.append(
            OutlineSection(
                number=number,
                title=required_text(raw, "title", at),
                guidance=tuple(clean(g) for g in raw.get("guidance", ())),
                items=items,
            )
        )
    no_duplicates([s.number for s in sections], "mục đề cương", str(path))
    return clean(doc.get("title", "")), tuple(sections)


def _figures(item: dict, at: str) -> str:
    figures = clean(item.get("figures", ""))
    if figures and figures not in OUTLINE_FIGURES:
        raise ConfigError(
            f"figures = '{figures}' không hợp lệ.",
            where=f"{at}, figures",
            fix=f"Dùng một trong: {', '.join(OUTLINE_FIGURES)}, hoặc bỏ trống.",
        )
    return figures
