"""The files a unit downloads from its page: its form and narrative, and its own report.

``unit_download``: the unit's current file while its latest version is valid; once a read
of its files failed or had errors, a fresh form (or narrative) pre-filled with its last valid
answers, so a clerk can start again from a file that reads (the broken file stays in the
workspace until the unit uploads another).

``unit_report``: the unit's report as a Party document (HD 36), from its confirmed answers
(or, before it confirms, its latest valid ones), for the unit to sign and issue.

Reads only: nothing here writes, so no writer lease.
"""

from __future__ import annotations

from datetime import date, datetime

from sonket_gsync.campaign.model import Unit
from sonket_gsync.core.errors import NotFound
from sonket_gsync.core.text import parse_date
from sonket_gsync.forms import narrative as narrative_doc
from sonket_gsync.forms.submission import FLAGGING_READS, Submission
from sonket_gsync.forms.workbook import prefilled_workbook_bytes
from sonket_gsync.report.unit_document import Confirmation, unit_report_docx

WHICH = ("workbook", "narrative")
# The downloads' content types, for the web route.
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def unit_download(svc, code: str, which: str) -> tuple[str, bytes]:
    """(file name, bytes) of the unit's ``which`` ("workbook" or "narrative") to download:
    its current file when its latest version is valid (or it never sent one), else a fresh
    one pre-filled with its last valid answers."""
    if which not in WHICH:
        raise ValueError(f"unit_download: which={which!r}, expected 'workbook' or 'narrative'")
    campaign = svc.campaign
    unit = campaign.unit(code)
    if which == "narrative" and not campaign.has_narrative(unit):
        raise NotFound(
            f"{unit.name} không phải gửi báo cáo thuyết minh.",
            where=f"đơn vị {unit.code}",
            fix="Chỉ tải biểu mẫu số liệu (.xlsx).",
        )
    flagged, submission = _last_valid(svc, unit)
    current = None
    if not flagged and svc.workspace.capabilities.accepts_uploads:
        current = svc.workspace.unit_file(unit, which)
    if current is not None:
        return current
    return fresh_file(svc, unit, which, submission)


def fresh_file(svc, unit: Unit, which: str, submission: Submission | None) -> tuple[str, bytes]:
    """A fresh form (or narrative) for ``unit`` with ``submission``'s answers in it."""
    campaign = svc.campaign
    if which == "workbook":
        return f"{unit.code}_bieu-mau.xlsx", prefilled_workbook_bytes(campaign, unit, submission)
    sections = dict(submission.narrative) if submission is not None else {}
    return f"{unit.code}_bao-cao-thuyet-minh.docx", narrative_doc.docx_from_sections(campaign, unit, sections)


def unit_report(svc, code: str) -> tuple[str, bytes]:
    """(file name, bytes) of the unit's own report (.docx, HD 36 layout) from its confirmed
    answers, else its latest valid ones; the blank outline when it has none yet."""
    campaign = svc.campaign
    unit = campaign.unit(code)
    submission, confirmation = _confirmed(svc, unit)
    if submission is None:
        _, submission = _last_valid(svc, unit)
    data = unit_report_docx(campaign, unit, submission or Submission(unit_code=unit.code), confirmation=confirmation)
    return f"{unit.code}_bao-cao.docx", data


def _last_valid(svc, unit: Unit) -> tuple[bool, Submission | None]:
    """(the unit's latest read flagged it, its last valid submission or None): this unit's
    rows only, never every unit's contents."""
    row = svc.queries.unit_detail(unit.code).row
    latest = svc.queries.submission(unit.code).latest_version_id
    return row.read_status in FLAGGING_READS, svc.queries.version(latest) if latest else None


def _confirmed(svc, unit: Unit) -> tuple[Submission | None, Confirmation | None]:
    """The unit's confirmed version and who confirmed it (None, None before it confirms)."""
    info = svc.queries.submission(unit.code)
    if info.state not in ("submitted", "accepted") or not info.version_id:
        return None, None
    submission = svc.queries.version(info.version_id)
    confirmation = Confirmation(
        name=info.confirmed_name,
        position=info.confirmed_position,
        doc_number=info.doc_number,
        doc_date=_as_date(info.doc_date),
    )
    return submission, confirmation


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return parse_date(value)
    return None
