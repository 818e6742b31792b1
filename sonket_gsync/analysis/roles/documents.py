"""Role "documents" (Phụ lục 01/1): the documents units issued, under the issuer headings
I, II, … (the issuer column's choices, in config order).

Aggregates: ``documents``, every document once with its unit(s), sorted by issuer heading
(then anything unrecognised), date, unit order; ``document_counts``, documents per heading
(every heading, zeros included); ``document_duplicates``, the rows left out because they
repeat a listed document. A duplicate is a row with the same issuer heading, the same kind
and issuing body in its number ("KH" and "TU" in "57-KH/TU", "KH" and "UBND" in
"112/KH-UBND") and the same trích yếu (ignoring case, spacing and end punctuation) as an earlier row: it
counts once, under the first row (its ``unit_name`` lists every unit that reported it);
``duplicate_of`` keeps the listed row's number. Report: the count sentence under the outline item with
``figures = "documents"`` and the appendix table; workbook: "Văn bản" and "Số văn bản".
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import pandas as pd

from sonket_gsync.analysis.roles.base import Cell, Grid, Note, Role, Table, date_cell
from sonket_gsync.analysis.rows import form_rows, text_column
from sonket_gsync.campaign.model import Campaign, Form
from sonket_gsync.core.text import format_date, format_number, header_key, parse_date

OTHER_ISSUER = "Khác (chưa xác định cơ quan ban hành)"
COLUMNS = ["issuer_index", "issuer_numeral", "issuer", "unit_code", "unit_name", "unit_order", "doc_number", "doc_date", "summary"]


def roman(number: int) -> str:
    numerals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for value, letters in numerals:
        while number >= value:
            out += letters
            number -= value
    return out


def document_reference(number: str, iso_date: str) -> str:
    day = parse_date(iso_date) if iso_date else None
    when = format_date(day) if day else iso_date
    return f"{number}, ngày {when}" if when else number


def issuer_headings(form: Form | None) -> list[str]:
    return list(form.role_column("issuer").choices) if form else []


class Documents(Role):
    def aggregate(self, campaign: Campaign, units: pd.DataFrame, submissions: dict) -> dict[str, Any]:
        form = campaign.form_with_role(self.name)
        documents, duplicates = _deduplicate(_documents(form, units, submissions))
        return {"documents": documents, "document_counts": _document_counts(form, documents), "document_duplicates": duplicates}

    def facts(self, campaign: Campaign, aggregates: Any, names: dict[str, str]) -> list[str]:
        counts = aggregates.document_counts
        party_form = campaign.form_with_role("party_committees")
        heading = party_form.documents_heading if party_form else ""
        party_count = _party_documents(aggregates)
        out = []
        if not counts.empty:
            total = int(counts["count"].sum())
            parts = []
            for row in counts.itertuples():
                if row.issuer == heading and party_count:
                    extra = f"{format_number(row.count)} văn bản, " if row.count else ""
                    parts.append(
                        f"{row.issuer}: {extra}"
                        f"{party_count}/{aggregates.party_totals['units_total']} đảng ủy báo cáo đã ban hành văn bản "
                        f"(tại {names.get('party_committees', 'phụ lục')}, cột [3])"
                    )
                else:
                    parts.append(f"{row.issuer}: {format_number(row.count)} văn bản")
            where = f" Danh mục văn bản tại {names['documents']}." if "documents" in names else ""
            out.append(f"Các cơ quan, đơn vị đã báo cáo {format_number(total)} văn bản triển khai thực hiện, trong đó: {'; '.join(parts)}.{where}")
        elif party_count:
            out.append(
                f"{party_count}/{aggregates.party_totals['units_total']} đảng ủy trực thuộc tỉnh báo cáo đã ban hành văn bản triển khai thực hiện "
                f"(chi tiết tại {names.get('party_committees', 'phụ lục')})."
            )
        return out

    def appendix(self, campaign: Campaign, form: Form, aggregates: Any, names: dict[str, str]) -> list[Table | Note]:
        docs = aggregates.documents
        party_form = campaign.form_with_role("party_committees")
        party_heading = party_form.documents_heading if party_form else ""
        widths = [1.2, 6.3, 12.0, 6.0]
        header = [[Cell("Stt"), Cell("Văn bản đã ban hành (số văn bản, ngày văn bản)"), Cell("Trích yếu nội dung văn bản"), Cell("Đơn vị báo cáo")]]
        rows = []
        for heading in aggregates.document_counts.itertuples():
            rows.append(
                [
                    Cell(heading.issuer_numeral, bold=True, align="center", shade="F2F2F2"),
                    Cell(f"{heading.issuer} ({format_number(heading.count)} văn bản)", bold=True, span=3, shade="F2F2F2"),
                ]
            )
            mine = docs[docs["issuer_index"] == heading.issuer_index]
            for i, d in enumerate(mine.to_dict("records"), start=1):
                rows.append([Cell(f"{i}.", align="center"), Cell(document_reference(d["doc_number"], d["doc_date"])), Cell(d["summary"]), Cell(d["unit_name"])])
            if mine.empty:
                note = "Chưa có văn bản được báo cáo"
                if heading.issuer == party_heading and "party_committees" in names:
                    note = f"Văn bản của các đảng ủy trực thuộc tỉnh được tổng hợp tại {names['party_committees']}, cột [3]"
                rows.append([Cell(""), Cell(note, italic=True, span=3)])
        return [Table(widths, header, rows, cant_split=False)]

    def workbook_tabs(self, campaign: Campaign, aggregates: Any) -> dict[str, Grid]:
        if not campaign.form_with_role(self.name):
            return {}
        documents: Grid = [["Đề mục", "Cơ quan ban hành", "Số văn bản", "Ngày văn bản", "Trích yếu", "Đơn vị báo cáo"]]
        for d in aggregates.documents.to_dict("records"):
            documents.append([d["issuer_numeral"], d["issuer"], d["doc_number"], date_cell(d["doc_date"]), d["summary"], d["unit_name"]])
        counts: Grid = [["Đề mục", "Cơ quan ban hành", "Số văn bản"]]
        counts += [[r["issuer_numeral"], r["issuer"], int(r["count"])] for r in aggregates.document_counts.to_dict("records")]
        return {"Văn bản": documents, "Số văn bản": counts}


ROLE = Documents("documents", figures="documents", has_appendix=True)


# --- aggregation -------------------------------------------------------------------------------


def _documents(form: Form | None, units: pd.DataFrame, submissions: dict) -> pd.DataFrame:
    headings = issuer_headings(form)
    frame = form_rows(form, units, submissions, by_role=True)
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    for key in ("issuer", "doc_number", "doc_date", "summary"):
        frame[key] = text_column(frame[key]) if key in frame else ""
    by_key = {header_key(h): i for i, h in enumerate(headings)}
    frame["issuer_index"] = frame["issuer"].map(header_key).map(by_key).fillna(len(headings)).astype(int)
    frame["issuer"] = frame["issuer_index"].map(dict(enumerate(headings))).fillna(OTHER_ISSUER)
    frame["issuer_numeral"] = (frame["issuer_index"] + 1).map(roman)
    frame = frame.sort_values(["issuer_index", "doc_date", "unit_order"], kind="stable", key=_dates_last)
    return frame[COLUMNS].reset_index(drop=True)


_NUMBER = re.compile(r"^\s*\d+\s*(?:-\s*(?P<pkind>[^\s/\-]+)\s*/\s*(?P<pbody>.+)|/\s*(?P<skind>[^\s/\-]+)\s*-\s*(?P<sbody>.+))$")


def number_parts(number: str) -> tuple[str, str]:
    """(kind, issuing body) of a document number: "57-KH/TU" -> ("KH", "TU"), "112/QĐ-UBND"
    -> ("QĐ", "UBND"); ("", "") when it has neither shape."""
    m = _NUMBER.match(unicodedata.normalize("NFC", number or ""))
    if not m:
        return "", ""
    kind = m.group("pkind") or m.group("skind") or ""
    body = m.group("pbody") or m.group("sbody") or ""
    return kind.strip().upper(), re.sub(r"\s+", "", body).upper()


def summary_key(summary: str) -> str:
    """A trích yếu compared without case, spacing or end punctuation."""
    text = unicodedata.normalize("NFC", summary or "").casefold()
    return re.sub(r"\s+", " ", text).strip(" .;,:")


def _deduplicate(documents: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(documents each once, the rows left out with ``duplicate_of``): see the module."""
    if documents.empty:
        return documents, pd.DataFrame(columns=[*COLUMNS, "duplicate_of", "duplicate_unit"])
    key = (
        documents["issuer_index"].astype(str)
        + "|"
        + documents["doc_number"].map(lambda n: "|".join(number_parts(n)))
        + "|"
        + documents["summary"].map(summary_key)
    )
    repeated = key.duplicated(keep="first")
    first = documents.groupby(key, sort=False).head(1)
    number_of = dict(zip(key[~repeated], first["doc_number"], strict=True))
    unit_of = dict(zip(key[~repeated], first["unit_code"], strict=True))
    names = documents.groupby(key, sort=False)["unit_name"].agg(lambda v: "; ".join(dict.fromkeys(v)))
    kept = documents[~repeated].copy()
    kept["unit_name"] = key[~repeated].map(names).to_numpy()
    dropped = documents[repeated].copy()
    dropped["duplicate_of"] = key[repeated].map(number_of).to_numpy()
    dropped["duplicate_unit"] = key[repeated].map(unit_of).to_numpy()
    return kept.reset_index(drop=True), dropped.reset_index(drop=True)


def _dates_last(series: pd.Series) -> pd.Series:
    """Sort key: empty dates after every real one (ISO dates sort as text)."""
    if series.name == "doc_date":
        return series.replace("", "9999")
    return series


def _document_counts(form: Form | None, documents: pd.DataFrame) -> pd.DataFrame:
    headings = issuer_headings(form)
    counts = documents.groupby("issuer_index").size()
    indexes = list(range(len(headings)))
    if len(headings) in counts.index:
        indexes.append(len(headings))
    return pd.DataFrame(
        {
            "issuer_index": indexes,
            "issuer_numeral": [roman(i + 1) for i in indexes],
            "issuer": [headings[i] if i < len(headings) else OTHER_ISSUER for i in indexes],
            "count": [int(counts.get(i, 0)) for i in indexes],
        }
    )


def _party_documents(aggregates: Any) -> int:
    """Party committees that reported issuing documents (Phụ lục 02, column [3])."""
    party = aggregates.party
    if party.empty:
        return 0
    return int((party["reported"] & party["documents"].ne("")).sum())
