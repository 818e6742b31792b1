"""What the dashboard shows, computed from the query side's overview: filtered rows,
reporting and on-time rates per group, the bar chart (inline SVG), and version diffs."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from markupsafe import Markup, escape

from sonket_gsync.app.labels import status_label
from sonket_gsync.campaign.model import Campaign
from sonket_gsync.core.text import fold_accents, format_datetime, format_number
from sonket_gsync.forms.submission import Submission, is_sent

from .helpers import is_open_for


@dataclass(frozen=True)
class Row:
    unit: object  # the query side's UnitRow
    status: str  # on_time | late | invalid | missing | locked
    closed: bool  # past the deadline and not reopened: no more uploads


@dataclass(frozen=True)
class Rate:
    code: str
    label: str
    total: int
    sent: int
    on_time: int

    @property
    def reporting(self) -> float:
        return self.sent / self.total if self.total else 0.0

    @property
    def punctual(self) -> float:
        return self.on_time / self.total if self.total else 0.0


def rows_of(overview, moment: datetime) -> list[Row]:
    """Each unit's shown status: a unit with nothing sent once uploads are closed is 'locked'."""
    rows = []
    for unit in overview.units:
        closed = not is_open_for(unit.code, overview.deadline, unit.reopened_until, moment)
        status = "locked" if closed and unit.status == "missing" else unit.status
        rows.append(Row(unit, status, closed))
    return rows


def filter_rows(rows: list[Row], *, group: str = "", status: str = "", query: str = "") -> list[Row]:
    wanted = fold_accents(query).split()
    out = []
    for row in rows:
        if group and row.unit.group_code != group:
            continue
        if status and row.status != status:
            continue
        if wanted:
            name = fold_accents(f"{row.unit.name} {row.unit.code}")
            if not all(word in name for word in wanted):
                continue
        out.append(row)
    return out


def rows_html(rows: list[Row], unit_base: str) -> Markup:
    """The units table body. Built here rather than in Jinja: at 1,500 units the template's
    per-expression overhead was most of the dashboard's time."""
    if not rows:
        return Markup('<tr><td colspan="6">Không có đơn vị nào khớp bộ lọc.</td></tr>')
    out = []
    for row in rows:
        u = row.unit
        errors = f" <small>{u.error_count} lỗi</small>" if u.error_count else ""
        links = ""
        if u.sheet_url.startswith("http"):
            links = f'<a href="{escape(u.sheet_url)}" rel="noopener">Bảng tính</a>'
            if u.doc_url:
                links += f' · <a href="{escape(u.doc_url)}" rel="noopener">Báo cáo</a>'
        out.append(
            f'<tr data-status="{row.status}" data-group="{escape(u.group_code)}">'
            f'<td><a href="{unit_base}{quote(u.code, safe="")}">{escape(u.name)}</a></td>'
            f"<td>{escape(u.group_name)}</td>"
            f'<td><span class="badge {row.status}">{status_label(row.status)}</span>{errors}</td>'
            f"<td>{format_datetime(u.last_modified)}</td><td>{u.versions}</td><td>{links}</td></tr>"
        )
    return Markup("\n".join(out))


def rates(campaign: Campaign, rows: list[Row]) -> list[Rate]:
    """Per group, then the whole province ("Toàn tỉnh")."""
    out = []
    for group in campaign.groups:
        members = [r for r in rows if r.unit.group_code == group.code]
        out.append(_rate(group.code, f"{group.number}. {group.name}", members))
    out.append(_rate("", "Toàn tỉnh", rows))
    return out


def _rate(code: str, label: str, rows: list[Row]) -> Rate:
    sent = sum(1 for r in rows if is_sent(r.unit.status, r.unit.submitted_at))
    on_time = sum(1 for r in rows if r.unit.status == "on_time")
    return Rate(code, label, len(rows), sent, on_time)


def rates_svg(rates_: list[Rate], width: int = 560) -> Markup:
    """Two horizontal bars per group: reporting rate and on-time rate."""
    bar, gap, label_w = 14, 10, 170
    height = len(rates_) * (2 * bar + gap) + 30
    scale = width - label_w - 60
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="Tỷ lệ gửi báo cáo và đúng hạn theo nhóm" xmlns="http://www.w3.org/2000/svg">'
    ]
    y = 4
    for rate in rates_:
        short = rate.label if len(rate.label) <= 28 else rate.label[:27] + "…"
        parts.append(f'<text x="0" y="{y + bar + 4}" class="lbl"><title>{escape(rate.label)}</title>{escape(short)}</text>')
        for offset, value, css in ((0, rate.reporting, "sent"), (bar, rate.punctual, "ontime")):
            w = max(1, round(value * scale))
            parts.append(f'<rect x="{label_w}" y="{y + offset}" width="{w}" height="{bar - 2}" class="{css}"/>')
            parts.append(f'<text x="{label_w + w + 4}" y="{y + offset + bar - 4}" class="val">{format_number(round(100 * value, 1))}%</text>')
        y += 2 * bar + gap
    parts.append(f'<rect x="{label_w}" y="{y + 4}" width="12" height="10" class="sent"/><text x="{label_w + 16}" y="{y + 13}" class="val">Đã gửi</text>')
    parts.append(
        f'<rect x="{label_w + 90}" y="{y + 4}" width="12" height="10" class="ontime"/><text x="{label_w + 106}" y="{y + 13}" class="val">Đúng hạn</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))


# --- diff between two versions --------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    place: str  # form and row, or the outline item
    column: str
    old: str
    new: str


def diff_versions(campaign: Campaign, old: Submission, new: Submission) -> list[Change]:
    changes: list[Change] = []
    for form in campaign.forms:
        before, after = old.tables.get(form.code, []), new.tables.get(form.code, [])
        if not before and not after:
            continue
        key = form.key_column.key if form.key_column else None
        for index in range(max(len(before), len(after))):
            a = before[index] if index < len(before) else {}
            b = after[index] if index < len(after) else {}
            label = (b or a).get(key) if key else None
            place = f"{form.appendix} – {form.sheet}, " + (f"dòng '{label}'" if label else f"dòng dữ liệu {index + 1}")
            for col in form.columns:
                x, y = a.get(col.key), b.get(col.key)
                if x != y:
                    changes.append(Change(place, col.header, _text(x), _text(y)))
    outline = {item.key: item for item in campaign.outline_items}
    for item_key in sorted(set(old.narrative) | set(new.narrative), key=lambda k: list(outline).index(k) if k in outline else 999):
        x, y = old.narrative.get(item_key, ""), new.narrative.get(item_key, "")
        if x != y:
            item = outline.get(item_key)
            title = f"Báo cáo thuyết minh, mục {item.number} {item.title}" if item else f"Báo cáo thuyết minh, mục {item_key}"
            changes.append(Change(title, "", x, _word_diff(x, y)))
    return changes


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return format_number(value, 2)
    return str(value)


def _word_diff(old: str, new: str) -> str:
    """The new text with what changed marked: [-removed-] {+added+}."""
    a, b = old.split(), new.split()
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(" ".join(a[i1:i2]))
            continue
        if i2 > i1:
            out.append("[-" + " ".join(a[i1:i2]) + "-]")
        if j2 > j1:
            out.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(out)
