"""Write a campaign folder from a ``Plan``: campaign.toml, forms.toml, outline.toml (the schema
campaign/load.py reads), units.csv and indicators.csv with their headers only, and REVIEW.md,
the list of what was inferred, from where, and what staff must check. Whatever is unsure is also
marked ``review = true`` in the TOML (the loader ignores the key)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

from sonket_gsync.campaign.plan.model import Plan, PlanColumn, PlanItem, PlanSection, PlanTable, Review, Source
from sonket_gsync.campaign.plan.roles import suggest_roles
from sonket_gsync.core.errors import ConfigError
from sonket_gsync.core.text import fold_accents

UNITS_HEADER = "code,name,group,emails\n"
INDICATORS_HEADER = "code,name,unit_of_measure,value_type,target_2030,aggregate,weight,reported_by,sample,responsible\n"
HEADING_COLUMN = "Mục"  # the column whose choices are an open table's row headings (I, II, …)
_TYPES = {"stt": "integer", "tick": "choice"}
_YEARS = re.compile(r"năm ((?:\d{4}, )*\d{4})(?: và ước thực hiện năm (\d{4}))?")
_FILES = ("campaign.toml", "forms.toml", "outline.toml", "units.csv", "indicators.csv", "REVIEW.md")


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _list(values: Iterable[str]) -> str:
    return "[" + ", ".join(_q(v) for v in values) + "]"


def _slug(text: str, limit: int = 30) -> str:
    """Letters without accents, digits and '_', whole words up to ``limit`` characters."""
    words = [w for w in re.split(r"[^a-z0-9]+", fold_accents(text).lower()) if w]
    out = ""
    for w in words:
        if out and len(out) + 1 + len(w) > limit:
            break
        out = f"{out}_{w}" if out else w[:limit]
    return out


def form_codes(plan: Plan) -> list[str]:
    """One code per table: PL01_1, PL01_2, PL02 … (the appendix's number, and the table's
    number inside the appendix when it has several)."""
    per: dict[str, int] = {}
    for t in plan.tables:
        per[t.appendix] = per.get(t.appendix, 0) + 1
    seen: dict[str, int] = {}
    codes = []
    for i, t in enumerate(plan.tables, start=1):
        base = "PL" + (_slug(t.appendix.removeprefix("Phụ lục"), 10).upper() or str(i))  # "Phụ lục" alone: PL1
        seen[t.appendix] = seen.get(t.appendix, 0) + 1
        codes.append(f"{base}_{seen[t.appendix]}" if per[t.appendix] > 1 else base)
    return codes


def write_campaign_folder(plan: Plan, dest: Path | str, *, province: str = "", force: bool = False) -> list[Review]:
    """Write the campaign folder for ``plan`` into ``dest``; returns the review list (also in
    REVIEW.md). An existing campaign folder is overwritten only with ``force``."""
    dest = Path(dest)
    if (dest / "campaign.toml").exists() and not force:
        raise ConfigError(
            "Thư mục đích đã có một chiến dịch (campaign.toml).",
            where=str(dest),
            fix="Chọn thư mục khác bằng --out, hoặc thêm --force để ghi đè.",
        )
    dest.mkdir(parents=True, exist_ok=True)
    reviews = list(plan.reviews)
    codes = form_codes(plan)
    groups = _groups(plan, codes, reviews)
    forms_text = _forms(plan, codes, reviews)
    outline_text = _outline(plan, reviews)
    campaign_text = _campaign(plan, groups, province or plan.province, _years(plan, reviews))
    reviews.append(
        Review(
            "Danh sách đơn vị (units.csv)",
            "để trống",
            Source("—"),
            "Thêm các đơn vị (code, name, group theo mã nhóm trong campaign.toml, emails) trước khi dùng chiến dịch.",
        )
    )
    reviews.append(
        Review(
            "Vai trò biểu mẫu (role)",
            'chưa đặt: role = "none", vai trò đoán được chỉ ghi dưới dạng gợi ý (# role = …)',
            Source("—"),
            "Báo cáo tỉnh chỉ đọc bảng có vai trò (documents, inspection, party_committees, indicators): đặt role và role của các cột nếu cần.",
        )
    )
    files = {
        "campaign.toml": campaign_text,
        "forms.toml": forms_text,
        "outline.toml": outline_text,
        "units.csv": UNITS_HEADER,
        "indicators.csv": INDICATORS_HEADER,
        "REVIEW.md": _review_md(plan, reviews),
    }
    for name in _FILES:
        (dest / name).write_text(files[name], encoding="utf-8")
    return reviews


def _groups(plan: Plan, codes: list[str], reviews: list[Review]) -> list[tuple[str, int, str, list[str]]]:
    """(code, number, name, forms) per unit group: the groups of "Tổ chức thực hiện", each with
    the forms whose "DÀNH CHO …" names it; with no such groups, one group per "DÀNH CHO …"."""
    named = [(g.number, g.name) for g in plan.groups]
    if not named:
        for t in plan.tables:
            name = t.for_groups[:1] + t.for_groups[1:].lower() if t.for_groups.isupper() else t.for_groups
            if name and name not in [n for _, n in named]:
                named.append((len(named) + 1, name))
    out = []
    matched: set[str] = set()
    for number, name in named:
        forms = [c for c, t in zip(codes, plan.tables, strict=True) if t.for_groups and name.casefold().startswith(t.for_groups.casefold())]
        matched.update(forms)
        out.append((f"NHOM_{number}", number, name, forms))
        if not forms:
            reviews.append(
                Review(
                    f"Nhóm đơn vị {number}",
                    "không có biểu mẫu nào",
                    Source("campaign.toml"),
                    f"Không phụ lục nào ghi 'DÀNH CHO' nhóm '{name}': chọn biểu mẫu nhóm phải điền.",
                )
            )
    for code, t in zip(codes, plan.tables, strict=True):
        if code not in matched:
            reviews.append(
                Review(f"Biểu mẫu {code}", f"dành cho '{t.for_groups}'", t.source, "Không khớp nhóm đơn vị nào: thêm mã biểu mẫu vào forms của nhóm phải điền.")
            )
    return out


def _years(plan: Plan, reviews: list[Review]) -> tuple[list[int], list[int]]:
    """The years a prompt asks figures for ("số liệu cụ thể của năm 2024, 2025 và ước thực
    hiện năm 2026"): (indicator_years, estimated_years)."""
    for s in plan.outline:
        entries: list[PlanSection | PlanItem] = [s, *s.items]
        for it in entries:
            for g in it.guidance:
                m = next((m for m in _YEARS.finditer(g) if m.group(2) or "," in m.group(1)), None)
                if m:
                    years = [int(y) for y in re.findall(r"\d{4}", m.group(1))]
                    estimated = [int(m.group(2))] if m.group(2) else []
                    where = f"{s.number}.{it.number}" if isinstance(it, PlanItem) else s.number
                    reviews.append(
                        Review(
                            "Năm số liệu (indicator_years)",
                            ", ".join(str(y) for y in years + estimated) + (f"; ước: {estimated[0]}" if estimated else ""),
                            Source(f"mục {where}", g[:80]),
                            "Các năm của bảng chỉ tiêu; cần thêm biểu mẫu chỉ tiêu và indicators.csv.",
                        )
                    )
                    return years + estimated, estimated
    return [], []


def _campaign(plan: Plan, groups: list[tuple[str, int, str, list[str]]], province: str, years: tuple[list[int], list[int]]) -> str:
    lines = [
        "# Drafted by `sonket-gsync campaign from-plan` from the plan document; see REVIEW.md before use.",
        "",
        "[campaign]",
        f"code = {_q(plan.code)}",
        f"name = {_q(plan.name)}",
        f"short_name = {_q(plan.name)}",
        f"resolution = {_q(plan.resolution)}",
        f"plan = {_q(plan.plan)}",
        f"subject = {_q(plan.subject)}",
        f"province = {_q(province)}",
        f"issuing_body = {_q(plan.issuing_body)}",
        f"compiled_by = {_q(plan.compiled_by)}",
        f"reports_to = {_q(plan.reports_to)}",
        f"deadline = {_q(plan.deadline)}          # dd/mm/yyyy, end of that day, Asia/Ho_Chi_Minh",
        f"report_title = {_q('BÁO CÁO ' + plan.title)}",
        f"indicator_years = [{', '.join(str(y) for y in years[0])}]",
        f"estimated_years = [{', '.join(str(y) for y in years[1])}]",
        "review = true",
        "",
        "[document]",
        f"issuer = {_q(plan.document_issuer)}",
        'doc_type = "BÁO CÁO"',
        f"subject = {_q(plan.title)}",
        f"signing_authority = {_q(plan.signing_authority)}",
        f"signer_title = {_q(plan.signer_title)}",
        "recipients = []",
        "review = true",
        "",
        "[sharing]",
        'mode = "writers"',
    ]
    for code, number, name, forms in groups:
        lines += [
            "",
            "[[groups]]",
            f"code = {_q(code)}",
            f"number = {number}",
            f"name = {_q(name)}",
            f"forms = {_list(forms)}",
            "narrative = true",
            "review = true",
        ]
    return "\n".join(lines) + "\n"


def _columns(table: PlanTable, reviews: list[Review], subject: str) -> list[dict[str, object]]:
    cols: list[PlanColumn] = list(table.columns)
    out: list[dict[str, object]] = []
    keys: set[str] = set()
    key_of: dict[str, str] = {}

    def key(header: str) -> str:
        base = "stt" if header.casefold() in ("stt", "tt") else (_slug(header) or "cot")
        k, n = base, 2
        while k in keys:
            k, n = f"{base}_{n}", n + 1
        keys.add(k)
        key_of[header] = k
        return k

    for i, col in enumerate(cols):
        entry: dict[str, object] = {"key": key(col.header), "header": col.header, "type": _TYPES.get(col.kind, col.kind)}
        if col.group_header:
            entry["group_header"] = col.group_header
        if col.choices:
            entry["choices"] = list(col.choices)
        if col.kind == "tick" and table.rows == "fixed":
            entry["required"] = True
        if col.required_when:
            entry["required_when"] = (key_of[col.required_when[0]], col.required_when[1])
        if col.fixed:
            entry["fixed"] = True
        if col.number:
            entry["number"] = col.number
        entry["width"] = 6 if col.kind == "stt" else ((40 if len(col.header) > 12 else 20) if col.kind == "text" else 14)
        if col.review:
            entry["review"] = True
        out.append(entry)
        if i == 0 and table.headings:
            out.append(
                {
                    "key": key(HEADING_COLUMN),
                    "header": HEADING_COLUMN,
                    "type": "choice",
                    "required": True,
                    "choices": list(table.headings),
                    "width": 34,
                    "review": True,
                }
            )
    return out


def _forms(plan: Plan, codes: list[str], reviews: list[Review]) -> str:
    lines = [
        "# The unit forms, one per appendix table of the plan, drafted by `sonket-gsync campaign from-plan`.",
        "# Headers are the plan's, verbatim; entries marked review = true were inferred: see REVIEW.md.",
    ]
    used: set[str] = set()
    documents_headings = next((t.headings for t in plan.tables if suggest_roles(t, HEADING_COLUMN)[0] == "documents"), ())
    for code, t in zip(codes, plan.tables, strict=True):
        sheet = re.sub(r"[\[\]:*?/\\]", "-", code.replace("_", "-"))[:31]
        role, column_roles = suggest_roles(t, HEADING_COLUMN)
        if role in used:
            role, column_roles = "", {}
        used.add(role)
        lines += [
            "",
            "[[forms]]",
            f"code = {_q(code)}",
            f'# role = "{role}"  # gợi ý: bỏ dấu # sau khi kiểm tra (cả ở các cột)' if role else 'role = "none"',
            f"appendix = {_q(t.appendix)}",
            f"title = {_q(t.title)}",
            f"sheet = {_q(sheet)}",
            f"rows = {_q(t.rows)}",
        ]
        if t.rows == "open":
            lines.append("blank_rows = 20")
        if t.note:
            lines.append(f"note = {_q(t.note)}")
        if t.fixed_rows:
            lines.append("fixed_rows = [")
            lines += [f"  {_q(r)}," for r in t.fixed_rows]
            lines.append("]")
        heading = next((h for h in documents_headings if h.casefold() == t.for_groups.casefold()), "")
        if role == "party_committees" and heading:
            lines.append(f"# documents_heading = {_q(heading)}  # gợi ý")
        if role:
            reviews.append(
                Review(
                    f"Biểu mẫu {code}",
                    f"có thể mang vai trò '{role}' (" + ", ".join(f"{h} → {r}" for h, r in column_roles.items()) + ")",
                    t.source,
                    "Báo cáo tỉnh đọc bảng theo vai trò: nếu đúng, bỏ dấu # ở các dòng role gợi ý trong forms.toml.",
                )
            )
        if t.review:
            lines.append("review = true")
        for entry in _columns(t, reviews, f"{t.appendix}: {t.title}"):
            lines += ["", "  [[forms.columns]]"]
            if str(entry["header"]) in column_roles:
                lines.append(f'  # role = "{column_roles[str(entry["header"])]}"  # gợi ý')
            for k, v in entry.items():
                if isinstance(v, bool):
                    lines.append(f"  {k} = {'true' if v else 'false'}")
                elif isinstance(v, int):
                    lines.append(f"  {k} = {v}")
                elif isinstance(v, list):
                    lines.append(f"  {k} = {_list(str(x) for x in v)}")
                elif isinstance(v, tuple):
                    lines.append(f"  {k} = {{ column = {_q(str(v[0]))}, equals = {_q(str(v[1]))} }}")
                else:
                    lines.append(f"  {k} = {_q(str(v))}")
    return "\n".join(lines) + "\n"


def _outline(plan: Plan, reviews: list[Review]) -> str:
    lines = ["# Đề cương báo cáo, drafted from the plan's outline (sections, items, prompts as guidance).", "", f"title = {_q(plan.outline_title)}"]
    for s in plan.outline:
        lines += ["", "[[sections]]", f"number = {_q(s.number)}", f"title = {_q(s.title)}"]
        if s.guidance:
            lines.append("guidance = [")
            lines += [f"  {_q(g)}," for g in s.guidance]
            lines.append("]")
        for it in s.items:
            lines += ["  [[sections.items]]", f"  number = {_q(it.number)}", f"  title = {_q(it.title)}"]
            if it.guidance:
                lines.append("  guidance = [")
                lines += [f"    {_q(g)}," for g in it.guidance]
                lines.append("  ]")
            if any(re.search(r"\bbảng\b|\bbiểu\b", g.casefold()) for g in it.guidance):
                reviews.append(
                    Review(
                        f"Đề cương, mục {s.number}.{it.number}",
                        "gợi ý nhắc tới một bảng số liệu",
                        Source(f"mục {s.number}.{it.number}", it.title),
                        'Nếu bảng này không có trong phụ lục, thêm biểu mẫu (ví dụ rows = "indicators" với indicators.csv) bằng tay.',
                    )
                )
    return "\n".join(lines) + "\n"


def _review_md(plan: Plan, reviews: list[Review]) -> str:
    lines = [
        "# Danh sách cần kiểm tra",
        "",
        f"Thư mục chiến dịch này được soạn tự động từ kế hoạch `{Path(plan.path).name}`. Tiêu đề mục đề cương và tiêu đề cột",
        "giữ nguyên văn như trong kế hoạch; những gì dưới đây là suy đoán, cần người kiểm tra trước khi dùng.",
        "Trong các tệp .toml, mục còn phải kiểm tra được đánh dấu `review = true` (xóa dòng đó khi đã kiểm tra).",
        "",
    ]
    for r in reviews:
        where = r.source.where + (f" «{r.source.text}»" if r.source.text else "")
        lines.append(f"- [ ] **{r.subject}** — đã suy ra: {r.inferred} (từ {where}). Cần kiểm tra: {r.check}")
    return "\n".join(lines) + "\n"
