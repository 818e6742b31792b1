"""Role suggestions for the drafted forms: which of the report's form roles (documents,
inspection, party_committees) a table looks like, and which column plays which part, from the
words of its headers. Only suggested (written commented out in forms.toml and listed in
REVIEW.md), never set: a person confirms by removing the '#'."""

from __future__ import annotations

from sonket_gsync.campaign.plan.model import PlanColumn, PlanTable

# Words of a header that name a column's part, per form role (generic words of a Party plan's
# tables, not one campaign's).
_DOCUMENT_PARTS = {"doc_number": ("số văn bản", "số, ký hiệu", "số hiệu"), "doc_date": ("ngày văn bản", "ngày ban hành"), "summary": ("trích yếu",)}
_INSPECTED = ("kiểm tra", "giám sát")
_REVIEWED = ("sơ kết", "tổng kết", "đánh giá")
_PARTY_TEXT = {
    "documents": ("văn bản",),
    "inspection": ("kiểm tra", "giám sát"),
    "good_practices": ("cách làm hay", "mô hình"),
    "difficulties": ("khó khăn", "hạn chế"),
    "recommendations": ("kiến nghị", "đề xuất"),
}


def _has(header: str, words: tuple[str, ...]) -> bool:
    h = header.casefold()
    return any(w in h for w in words)


def suggest_roles(table: PlanTable, heading_column: str) -> tuple[str, dict[str, str]]:
    """(form role, {column header: column role}) when every column role the form role needs is
    found, else ("", {})."""
    cols = list(table.columns)
    if table.headings:
        roles: dict[str, str] = {heading_column: "issuer"}
        for role, words in _DOCUMENT_PARTS.items():
            col = next((c for c in cols if _has(c.header, words)), None)
            if col is None:
                return "", {}
            roles[col.header] = role
        return "documents", roles
    ticks = [c for c in cols if c.kind == "tick"]
    if table.rows == "fixed" and len(ticks) >= 2:
        inspected = next((c for c in ticks if _has(c.header, _INSPECTED)), None)
        reviewed = next((c for c in ticks if _has(c.header, _REVIEWED) and c is not inspected), None)
        if inspected is None or reviewed is None:
            return "", {}
        roles = {cols[0].header: "body", inspected.header: "inspected", reviewed.header: "reviewed"}
        detail = next((c for c in cols if c.required_when and c.required_when[0] == inspected.header), None)
        if detail is not None:
            roles[detail.header] = "inspection_form"
        return "inspection", roles
    count = next((c for c in cols if c.kind == "integer" and c.group_header.casefold().startswith("số lượng và tỷ lệ")), None)
    rate = next((c for c in cols if c.kind == "percent" and count is not None and c.group_header == count.group_header), None)
    if table.rows == "unit" and count is not None and rate is not None:
        roles = {count.header: "members_count", rate.header: "members_rate"}
        for c in cols:
            if c.kind == "stt":
                roles[c.header] = "stt"
            elif c.header.casefold() == "tên đơn vị":
                roles[c.header] = "unit_name"
            elif c.kind == "text" and c.header not in roles:
                role = _party_text_role(c, set(roles.values()))
                if role:
                    roles[c.header] = role
        return "party_committees", roles
    return "", {}


def _party_text_role(col: PlanColumn, taken: set[str]) -> str:
    # "Công tác kiểm tra, giám sát; sơ kết …" names inspection before documents' "văn bản".
    for role in ("inspection", "recommendations", "difficulties", "good_practices", "documents"):
        if role not in taken and _has(col.header, _PARTY_TEXT[role]):
            return role
    return ""
