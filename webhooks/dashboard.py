"""What the dashboard shows, computed from the query side's overview: filtered rows,
reporting and on-time rates per group, the bar chart (inline SVG), and version diffs."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from markupsafe import Markup, escape

from sonket_gsync.app.labels import status_label
from sonket_gsync.app.queries import UnitRow
from sonket_gsync.campaign.model import Campaign
from sonket_gsync.core.text import fold_accents, format_datetime, format_number
from sonket_gsync.forms.submission import STATUS_LABELS, SUBMISSION_STATE_LABELS, Submission, is_sent, submission_state_label

from .helpers import is_open_for


@dataclass(frozen=True)
class Row:
    unit: UnitRow  # the query side's row
    status: str  # on_time | late | invalid | missing: the CLI's word, the same count
    closed: bool  # past the deadline and not reopened: no more uploads ("đã khóa", a qualifier)

    @property
    def state(self) -> str:
        """The submission workflow state (missing | entering | submitted | accepted | returned)."""
        return self.unit.state

    @property
    def locked(self) -> bool:
        """Nothing sent and no more uploads: still "Chưa gửi", qualified "đã khóa"."""
        return self.closed and self.status == "missing"


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


# The status filter: the four statuses the CLI counts, and "locked", a subset of "missing".
LOCKED = "locked"
LOCKED_LABEL = "đã khóa"
# Sorting: key → (label, how). Attention first for status and state; newest change first.
SORTS: dict[str, str] = {
    "": "Theo danh sách",
    "ten": "Tên đơn vị",
    "tinh_trang": "Tình trạng",
    "gui": "Trạng thái gửi",
    "sua": "Sửa lần cuối (mới nhất trước)",
    "loi": "Số lỗi (nhiều nhất trước)",
}
_STATUS_ORDER = {"invalid": 0, "missing": 1, "late": 2, "on_time": 3}
_STATE_ORDER = {"returned": 0, "submitted": 1, "entering": 2, "missing": 3, "accepted": 4}


def rows_of(overview, moment: datetime) -> list[Row]:
    """Each unit's status as the CLI counts it, and whether its uploads are closed."""
    rows = []
    for unit in overview.units:
        closed = not is_open_for(unit.code, overview.deadline, unit.reopened_until, moment)
        rows.append(Row(unit, unit.status, closed))
    return rows


def status_counts(rows: list[Row]) -> dict[str, int]:
    """How many rows per status (as the CLI's status table), plus how many are locked."""
    counts = {key: 0 for key in STATUS_LABELS}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    counts[LOCKED] = sum(1 for r in rows if r.locked)
    return counts


def state_counts(rows: list[Row]) -> dict[str, int]:
    counts = {key: 0 for key in SUBMISSION_STATE_LABELS}
    for row in rows:
        if row.state:
            counts[row.state] = counts.get(row.state, 0) + 1
    return counts


def filter_rows(rows: list[Row], *, group: str = "", status: str = "", query: str = "", state: str = "") -> list[Row]:
    wanted = fold_accents(query).split()
    out = []
    for row in rows:
        if group and row.unit.group_code != group:
            continue
        if status == LOCKED:
            if not row.locked:
                continue
        elif status and row.status != status:
            continue
        if state and row.state != state:
            continue
        if wanted:
            name = fold_accents(f"{row.unit.name} {row.unit.code}")
            if not all(word in name for word in wanted):
                continue
        out.append(row)
    return out


def sort_rows(rows: list[Row], key: str) -> list[Row]:
    """Rows in the chosen order (stable: ties keep the campaign's order)."""
    if key == "ten":
        return sorted(rows, key=lambda r: fold_accents(r.unit.name))
    if key == "tinh_trang":
        return sorted(rows, key=lambda r: _STATUS_ORDER.get(r.status, 9))
    if key == "gui":
        return sorted(rows, key=lambda r: _STATE_ORDER.get(r.state, 9))
    if key == "sua":
        dated = [(r.unit.last_modified, i) for i, r in enumerate(rows) if r.unit.last_modified is not None]
        newest = [rows[i] for _, i in sorted(dated, key=lambda pair: (-pair[0].timestamp(), pair[1]))]
        return newest + [r for r in rows if r.unit.last_modified is None]
    if key == "loi":
        return sorted(rows, key=lambda r: -r.unit.error_count)
    return rows


def rows_html(rows: list[Row], unit_base: str) -> Markup:
    """The units table body. Built here rather than in Jinja: at 1,500 units the template's
    per-expression overhead was most of the dashboard's time. Each cell carries its column's
    name (``data-label``): on a phone the rows are cards and every figure keeps its label."""
    if not rows:
        return Markup('<tr><td colspan="7">Không có đơn vị nào khớp bộ lọc.</td></tr>')
    out = []
    for row in rows:
        u = row.unit
        errors = f"{u.error_count} lỗi" if u.error_count else "—"
        locked = f' <small class="muted">· {LOCKED_LABEL}</small>' if row.locked else ""
        closed = ' data-closed="1"' if row.locked else ""
        state = f'<span class="badge state-{row.state}">{escape(submission_state_label(row.state))}</span>' if row.state else "—"
        links = ""
        if u.sheet_url.startswith("http"):
            links = f'<a href="{escape(u.sheet_url)}" rel="noopener">Bảng tính</a>'
            if u.doc_url:
                links += f' · <a href="{escape(u.doc_url)}" rel="noopener">Báo cáo</a>'
        out.append(
            f'<tr data-status="{row.status}" data-state="{escape(row.state)}" data-group="{escape(u.group_code)}"{closed}>'
            f'<td data-label="Đơn vị"><a href="{unit_base}{quote(u.code, safe="")}">{escape(u.name)}</a></td>'
            f'<td data-label="Nhóm">{escape(u.group_name)}</td>'
            f'<td data-label="Tình trạng"><span class="badge {row.status}">{status_label(row.status)}</span>{locked}</td>'
            f'<td data-label="Trạng thái gửi">{state}</td>'
            f'<td data-label="Số lỗi">{errors}</td>'
            f'<td data-label="Sửa lần cuối">{format_datetime(u.last_modified) or "—"}</td>'
            f'<td data-label="Phiên bản">{u.versions}</td>' + (f'<td data-label="Liên kết">{links}</td>' if links else '<td class="empty"></td>') + "</tr>"
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
