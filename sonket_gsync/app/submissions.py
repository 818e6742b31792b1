"""A submission is an act (issue 18): a unit confirms a version, staff accept it or return it
with located comments, a signed PDF may go with it.

States (``forms.submission.SubmissionState``), derived from the acts the store keeps
(store/submissions.py) and the unit's versions:

    missing    no version and no read with content yet
    entering   versions (valid or not) exist, none confirmed since the last review
    submitted  the unit confirmed a version (later edits make new, unconfirmed versions;
               the confirmed one stays what staff review)
    accepted   staff accepted the confirmed version
    returned   staff returned it with comments

After ``accepted`` or ``returned``, a new version (or a newer read with errors) makes the
unit ``entering`` again. Illegal moves raise ``SubmissionError`` saying how to go on.

Deadline: the confirmation is what the deadline applies to; a confirmation after the
deadline is recorded late, a correction after an on-time one included (a reopened unit's
confirmations are late too: reopening lets it send, counted late).

What the compile counts (campaign.toml ``[submission] count``): "latest_valid" (default) the
unit's latest valid version; "confirmed" the version of its last confirmation that was not
returned (``counted_records``), units without one counting as missing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Protocol, cast

from sonket_gsync.app.labels import SUBMISSION_EVENTS
from sonket_gsync.backends.base import Workspace
from sonket_gsync.campaign.model import Campaign, Form
from sonket_gsync.core.errors import PermanentError
from sonket_gsync.core.settings import Settings
from sonket_gsync.core.text import clean, format_date, format_datetime, header_key, parse_date
from sonket_gsync.forms.signed_pdf import check_signed_pdf
from sonket_gsync.forms.submission import FLAGGING_READS, Status, Submission, UnitRecord, submission_state_label, unit_status
from sonket_gsync.store.protocol import StoreProtocol
from sonket_gsync.store.records import Record, SignedPdfRecord, SubmissionEventRecord, UnitState


class ServiceLike(Protocol):
    """What these operations use of app.service.CampaignService (named here: no import cycle)."""

    campaign: Campaign
    settings: Settings
    store: StoreProtocol
    workspace: Workspace

    def lease(self, holder: str = "", *, wait: bool = False, timeout: float | None = None) -> AbstractContextManager[Any]: ...


log = logging.getLogger(__name__)

EVENT_LABELS = SUBMISSION_EVENTS  # what each act is called in a unit's history (app/labels.py)
MAX_COMMENT_LENGTH = 2000
MAX_FIELD_LENGTH = 200  # a signer's name, position, số văn bản
ACT_WAIT_SECONDS = 15.0
"""A person's act (confirm, accept, return, attach) waits this long for the writer lease
(a sync or compile may hold it for a moment) before LeaseHeld (temporary: try again)."""


class SubmissionError(PermanentError):
    """A move the workflow does not allow now (accept before the unit confirmed, confirm a
    version with errors or nothing at all…): the message says what to do instead."""

    category = "bad_input"


# --- what callers pass and get -----------------------------------------------------------------


@dataclass(frozen=True)
class ReviewComment(Record):
    """One comment of a return: located (a form's row and column, or an outline item) or
    general. ``form``: the form's code or sheet title (stored as the sheet title the unit
    sees); ``row``: 1-based sheet row; ``column``: the column's header (or key)."""

    text: str
    form: str = ""
    row: int | None = None
    column: str = ""
    outline_item: str = ""

    @property
    def where(self) -> str:
        """A Vietnamese location: "Biểu 'PL02 Đảng ủy', dòng 7, cột 'Số lượng'", "Mục II.3",
        or "" for a general comment."""
        parts = []
        if self.form:
            parts.append(f"Biểu '{self.form}'")
        if self.row is not None:
            parts.append(f"dòng {self.row}")
        if self.column:
            parts.append(f"cột '{self.column}'")
        if self.outline_item:
            parts.append(f"Mục {self.outline_item}")
        return ", ".join(parts)

    def fields(self) -> dict[str, object]:
        return {"text": self.text, "form": self.form, "row": self.row, "column": self.column, "outline_item": self.outline_item}


@dataclass(frozen=True)
class SignedPdf(Record):
    """A unit's signed report as stored: ``signer`` is the digital signature's name (CN), ""
    when the PDF carries none (a scan)."""

    filename: str
    size: int
    sha256: str
    signer: str = ""
    id: int = 0
    stored_at: datetime | None = None


@dataclass(frozen=True)
class SubmissionInfo(Record):
    """Where a unit's submission stands, for its page, the dashboard and the CLI."""

    unit_code: str
    state: str  # SubmissionState
    state_label: str
    version_id: int | None = None  # the confirmed version (None: never confirmed)
    confirmed_at: datetime | None = None
    confirmed_name: str = ""
    confirmed_position: str = ""
    doc_number: str = ""
    doc_date: date | None = None
    on_time: bool | None = None  # the last confirmation came before the deadline
    pdf: SignedPdf | None = None  # of the last confirmation
    comments: tuple[ReviewComment, ...] = ()  # the open comments of the last return
    returned_version_id: int | None = None  # the version staff returned last (for the diff)
    latest_version_id: int | None = None  # the unit's newest valid version
    counted_version_id: int | None = None  # what the compile counts (per [submission] count)
    reviewed_by: str = ""  # who accepted or returned it last
    reviewed_at: datetime | None = None


@dataclass(frozen=True)
class SubmissionEvent(Record):
    """One line of a unit's history: who did what when."""

    at: datetime
    by: str
    kind: str  # confirmed | accepted | returned | pdf
    label: str  # Vietnamese
    detail: str = ""
    version_id: int | None = None
    comments: tuple[ReviewComment, ...] = field(default_factory=tuple)


# --- the rules (pure) --------------------------------------------------------------------------


def derive_state(events: Sequence[SubmissionEventRecord], state: UnitState | None) -> str:
    """A unit's workflow state from its acts (oldest first) and what the store holds of it."""
    latest = state.latest_version_id if state else None
    has_content = bool(state and (state.has_accepted or state.read_status == "invalid"))  # a read that failed is no content
    last = events[-1] if events else None
    if last is None:
        return "entering" if has_content else "missing"
    if last.kind == "confirmed":
        return "submitted"
    # accepted / returned: a newer version, or a newer read with errors, is new work
    if latest is not None and last.version_id is not None and latest != last.version_id:
        return "entering"
    if state and state.read_status == "invalid" and state.last_modified_at and state.last_modified_at > last.at:
        return "entering"
    return last.state


def counted_confirmation(events: Sequence[SubmissionEventRecord]) -> SubmissionEventRecord | None:
    """The confirmation the compile counts in "confirmed" mode: the last one not returned
    (a returned confirmation falls back to the last accepted one before it)."""
    counted: SubmissionEventRecord | None = None
    accepted: SubmissionEventRecord | None = None
    confirmations: dict[int | None, SubmissionEventRecord] = {}
    for event in events:
        if event.kind == "confirmed":
            counted = event
            confirmations[event.version_id] = event
        elif event.kind == "accepted":
            accepted = confirmations.get(event.version_id, counted)
        elif event.kind == "returned" and counted is not None and event.version_id == counted.version_id:
            counted = accepted if accepted is not None and accepted.version_id != event.version_id else None
    return counted


def is_confirmed_on_time(at: datetime, deadline: datetime) -> bool:
    """A confirmation counts on time when made by the deadline (a reopening does not change it)."""
    return at <= deadline


# --- the service's writes ----------------------------------------------------------------------


def confirm_submission(
    svc: ServiceLike,
    code: str,
    *,
    name: str,
    position: str,
    doc_number: str = "",
    doc_date: date | str | None = None,
    signed_pdf: bytes | None = None,
    pdf_filename: str = "",
    by: str = "",
    version_id: int | None = None,
) -> SubmissionInfo:
    """The unit confirms its latest valid version (on Google the synced snapshot it saw):
    who signs (name, position as typed), the document's số and ngày, optionally its signed
    PDF. A confirmation after the deadline is recorded late. ``version_id``: the version the
    unit was shown; if a newer one was stored since, nothing is confirmed (SubmissionError)."""
    unit = svc.campaign.unit(code)
    name, position, doc_number = clean(name), clean(position), clean(doc_number)
    day = _doc_date(doc_date, unit.code)
    if not name or not position:
        raise SubmissionError(
            "Chưa ghi họ tên và chức vụ người ký báo cáo.",
            where=f"đơn vị {unit.code}",
            fix="Ghi họ tên và chức vụ của người ký (ví dụ: Nguyễn Văn A, Bí thư Đảng ủy) rồi xác nhận lại.",
        )
    for label, value in (("Họ tên", name), ("Chức vụ", position), ("Số văn bản", doc_number)):
        if len(value) > MAX_FIELD_LENGTH:
            raise SubmissionError(
                f"{label} dài {len(value)} ký tự, quá {MAX_FIELD_LENGTH}.", where=f"đơn vị {unit.code}", fix=f"Ghi {label.lower()} ngắn gọn rồi xác nhận lại."
            )
    pdf = check_signed_pdf(signed_pdf, pdf_filename, max_bytes=svc.settings.upload_max_bytes) if signed_pdf else None
    with svc.lease(f"confirm {unit.code}", wait=True, timeout=ACT_WAIT_SECONDS):
        store = svc.store
        state = store.unit_states(svc.workspace.kind, unit.code).get(unit.code)
        events = store.submission_events(unit.code)
        current = derive_state(events, state)
        if state is not None and state.read_status in FLAGGING_READS:
            raise SubmissionError(
                "Biểu mẫu của đơn vị đang có lỗi nên chưa thể xác nhận gửi.",
                where=f"đơn vị {unit.code}",
                fix="Sửa các lỗi được liệt kê trên trang của đơn vị, chờ đồng bộ xong (hoặc tải lại tệp) rồi xác nhận gửi.",
            )
        seen, version_id = version_id, state.latest_version_id if state else None
        if version_id is None:
            raise SubmissionError(
                "Đơn vị chưa có số liệu hợp lệ nào để xác nhận gửi.",
                where=f"đơn vị {unit.code}",
                fix="Nhập số liệu vào biểu mẫu (hoặc tải tệp lên), chờ kiểm tra không còn lỗi rồi xác nhận gửi.",
            )
        if seen is not None and seen != version_id:
            raise SubmissionError(
                "Số liệu của đơn vị đã thay đổi từ lúc mở trang xác nhận.",
                where=f"đơn vị {unit.code}",
                fix="Tải lại trang, xem lại số liệu mới nhất rồi xác nhận gửi.",
            )
        last = events[-1] if events else None
        if last is not None and last.version_id == version_id and current in ("submitted", "accepted", "returned"):
            raise SubmissionError(
                _same_version_message(current),
                where=f"đơn vị {unit.code}",
                fix="Sửa số liệu theo góp ý (nếu có); phiên bản mới sẽ được xác nhận gửi."
                if current == "returned"
                else "Không cần làm gì thêm; nếu sửa số liệu, hãy xác nhận gửi lại phiên bản mới.",
            )
        at = store.clock.now()
        on_time = is_confirmed_on_time(at, svc.campaign.deadline)
        event = store.add_submission_event(
            unit.code,
            "confirmed",
            "submitted",
            at=at,
            version_id=version_id,
            by=by or name,
            name=name,
            position=position,
            doc_number=doc_number,
            doc_date=day,
            on_time=on_time,
        )
        if pdf is not None and signed_pdf is not None:
            store.save_signed_pdf(
                unit.code,
                filename=_filename(pdf_filename),
                data=signed_pdf,
                sha256=pdf.sha256,
                signer=pdf.signer,
                event_id=event.id,
                version_id=version_id,
                by=by or name,
                at=at,
            )
        detail = f"phiên bản {version_id}; {name}, {position}" + (f"; số {doc_number}" if doc_number else "") + ("" if on_time else "; trễ hạn")
        store.add_audit("submission_confirmed", unit.code, detail, by=by or name)
    return submission_info(svc.store, svc.campaign, svc.workspace.kind, unit.code)


def accept_submission(svc: ServiceLike, code: str, *, by: str, note: str = "") -> SubmissionInfo:
    """Staff accept the unit's confirmed version (only a submitted one)."""
    unit = svc.campaign.unit(code)
    with svc.lease(f"accept {unit.code}", wait=True, timeout=ACT_WAIT_SECONDS):
        store = svc.store
        events, current = _events_and_state(svc, unit.code)
        if current != "submitted":
            raise SubmissionError(
                f"Chưa thể tiếp nhận: báo cáo của đơn vị đang ở trạng thái '{submission_state_label(current)}'.",
                where=f"đơn vị {unit.code}",
                fix="Chỉ tiếp nhận được báo cáo đơn vị đã xác nhận gửi (trạng thái 'Đã gửi'); nhắc đơn vị xác nhận gửi trước.",
            )
        confirmed = _last_confirmation(events)
        version_id = confirmed.version_id if confirmed else None
        store.add_submission_event(unit.code, "accepted", "accepted", at=store.clock.now(), version_id=version_id, by=by, note=clean(note))
        store.add_audit("submission_accepted", unit.code, f"phiên bản {version_id}" + (f"; {clean(note)}" if clean(note) else ""), by=by)
    return submission_info(svc.store, svc.campaign, svc.workspace.kind, unit.code)


def return_submission(svc: ServiceLike, code: str, *, by: str, comments: Sequence[ReviewComment]) -> SubmissionInfo:
    """Staff return the unit's confirmed version with comments (at least one), each located
    (form, row, column, outline item) or general. Where the workspace can, each comment is
    also put on the unit's Sheet/Doc (``workspace.capabilities.comments``)."""
    unit = svc.campaign.unit(code)
    resolved = [resolve_comment(svc.campaign, c, unit.code) for c in comments]
    if not resolved:
        raise SubmissionError(
            "Trả lại báo cáo cần ít nhất một góp ý cho đơn vị.",
            where=f"đơn vị {unit.code}",
            fix="Ghi rõ điều cần sửa (có thể chỉ rõ biểu, dòng, cột hoặc mục của đề cương).",
        )
    with svc.lease(f"return {unit.code}", wait=True, timeout=ACT_WAIT_SECONDS):
        store = svc.store
        events, current = _events_and_state(svc, unit.code)
        if current not in ("submitted", "accepted"):
            raise SubmissionError(
                f"Chưa thể trả lại: báo cáo của đơn vị đang ở trạng thái '{submission_state_label(current)}'.",
                where=f"đơn vị {unit.code}",
                fix="Chỉ trả lại được báo cáo đơn vị đã xác nhận gửi; với đơn vị đang nhập, hãy nhắc đơn vị sửa và xác nhận gửi.",
            )
        confirmed = _last_confirmation(events)
        version_id = confirmed.version_id if confirmed else None
        store.add_submission_event(
            unit.code, "returned", "returned", at=store.clock.now(), version_id=version_id, by=by, comments=[c.fields() for c in resolved]
        )
        store.add_audit("submission_returned", unit.code, f"phiên bản {version_id}; {len(resolved)} góp ý", by=by)
    _comment_on_files(svc, unit.code, resolved)
    return submission_info(svc.store, svc.campaign, svc.workspace.kind, unit.code)


def attach_signed_pdf(svc: ServiceLike, code: str, data: bytes, filename: str, *, by: str = "") -> SubmissionInfo:
    """Attach the unit's signed report (PDF) to its last confirmation (after confirming, when
    the signed document came later). Checked as a PDF, size-limited, stored with its hash."""
    unit = svc.campaign.unit(code)
    pdf = check_signed_pdf(data, filename, max_bytes=svc.settings.upload_max_bytes)
    with svc.lease(f"signed pdf {unit.code}", wait=True, timeout=ACT_WAIT_SECONDS):
        store = svc.store
        confirmed = _last_confirmation(store.submission_events(unit.code))
        if confirmed is None:
            raise SubmissionError(
                "Đơn vị chưa xác nhận gửi báo cáo nên chưa đính kèm được báo cáo đã ký.",
                where=f"đơn vị {unit.code}",
                fix="Xác nhận gửi trước (họ tên, chức vụ, số và ngày văn bản), rồi đính kèm tệp PDF đã ký.",
            )
        stored = store.save_signed_pdf(
            unit.code,
            filename=_filename(filename),
            data=data,
            sha256=pdf.sha256,
            signer=pdf.signer,
            event_id=confirmed.id,
            version_id=confirmed.version_id,
            by=by,
            at=store.clock.now(),
        )
        store.add_audit("submission_pdf", unit.code, f"{stored.filename} ({stored.size} byte) sha256 {stored.sha256[:12]}", by=by)
    return submission_info(svc.store, svc.campaign, svc.workspace.kind, unit.code)


# --- the read side (svc.queries) ---------------------------------------------------------------


def submission_info(store, campaign: Campaign, backend: str, code: str) -> SubmissionInfo:
    """Where one unit's submission stands."""
    unit = campaign.unit(code)
    state = store.unit_states(backend, unit.code).get(unit.code)
    events = store.submission_events(unit.code)
    return _info(store, campaign, unit.code, events, state, store.signed_pdfs(unit.code))


def submission_states(store, backend: str, campaign: Campaign) -> dict[str, str]:
    """code -> workflow state, for every unit of the campaign (the dashboard's two queries)."""
    states = store.unit_states(backend)
    return {u.code: derive_state(_acts(states.get(u.code)), states.get(u.code)) for u in campaign.units}


def _acts(state: UnitState | None) -> tuple[SubmissionEventRecord, ...]:
    return state.acts if state else ()


def submission_events(store, campaign: Campaign, code: str) -> list[SubmissionEvent]:
    """One unit's history, oldest first: confirmations (with the PDF sent with each), reviews
    (with their comments), PDFs attached later."""
    unit = campaign.unit(code)
    events = store.submission_events(unit.code)
    comments = _comments_by_event(store, [e.id for e in events if e.kind == "returned"])
    confirmed_at = {e.id: e.at for e in events if e.kind == "confirmed"}
    sent_with: dict[int, SignedPdfRecord] = {}  # confirmation id -> the PDF sent with it (its first, stored at its time)
    later: list[SignedPdfRecord] = []
    for pdf in sorted(store.signed_pdfs(unit.code), key=lambda p: p.id):
        if pdf.event_id is not None and pdf.event_id in confirmed_at and pdf.event_id not in sent_with and pdf.stored_at == confirmed_at[pdf.event_id]:
            sent_with[pdf.event_id] = pdf
        else:
            later.append(pdf)
    history = [_event(e, comments.get(e.id, ()), sent_with.get(e.id)) for e in events]
    history += [
        SubmissionEvent(at=pdf.stored_at, by=pdf.by, kind="pdf", label=EVENT_LABELS["pdf"], detail=_pdf_detail(pdf), version_id=pdf.version_id) for pdf in later
    ]
    history.sort(key=lambda e: e.at)  # stable: acts keep their order at the same moment
    return history


def counted_records(store, campaign: Campaign, records: list[UnitRecord]) -> list[UnitRecord]:
    """The records the compile aggregates: as the store gives them in "latest_valid" mode; in
    "confirmed" mode each unit's last confirmation not returned (its version, its time, its
    deadline), a unit without one counting as missing."""
    by_unit = _by_unit(store.submission_events())
    if campaign.submission.count != "confirmed":
        return _confirmation_times(store, campaign, records, by_unit)
    counted = {code: counted_confirmation(events) for code, events in by_unit.items()}
    contents = store.version_contents(e.version_id for e in counted.values() if e is not None and e.version_id is not None)
    result = []
    for record in records:
        event = counted.get(record.unit.code)
        found = contents.get(event.version_id) if event is not None and event.version_id is not None else None
        if event is None or found is None:
            status: Status = "invalid" if record.flagged else "missing"
            result.append(replace(record, status=status, submission=None, submitted_at=None))
            continue
        submission = Submission.from_json(record.unit.code, found[1])
        status = "invalid" if record.flagged else ("on_time" if event.on_time else "late")
        result.append(replace(record, status=status, submission=submission, submitted_at=event.at))
    return result


def _confirmation_times(store, campaign: Campaign, records: list[UnitRecord], by_unit) -> list[UnitRecord]:
    """ "latest_valid" mode: the latest valid versions, each timed as the dashboard times it
    (``counted_status``: a confirmed version is as late as its confirmation)."""
    if not by_unit:
        return records
    states = store.unit_states("", None)
    result = []
    for record in records:
        events = by_unit.get(record.unit.code)
        if not events or record.submission is None:
            result.append(record)
            continue
        status, sent = counted_status(campaign, states.get(record.unit.code), events)
        result.append(replace(record, status=cast(Status, status), submitted_at=sent))
    return result


def counted_status(campaign: Campaign, state: UnitState | None, events: Sequence[SubmissionEventRecord]) -> tuple[str, datetime | None]:
    """(data status, when the counted submission was made) for a dashboard row: the counted
    version's file time in "latest_valid" mode, the counted confirmation in "confirmed" mode."""
    read_status = state.read_status if state else ""
    if campaign.submission.count == "confirmed":
        event = counted_confirmation(events)
        if read_status in FLAGGING_READS:
            return "invalid", event.at if event else None
        if event is None:
            return "missing", None
        return ("on_time" if event.on_time else "late"), event.at
    if state is None:
        return "missing", None
    made = state.accepted_modified_at or state.first_accepted_at
    confirmed = next((e for e in reversed(events) if e.kind == "confirmed" and e.version_id == state.latest_version_id), None)
    if confirmed is not None and made is not None and read_status not in FLAGGING_READS:
        # The counted version was confirmed: the deadline applies to the confirmation (a valid
        # version typed in time but confirmed late is late), never earlier than the file itself.
        sent = max(made, confirmed.at)
        return unit_status(read_status, state.has_accepted, sent, campaign.deadline), sent
    return unit_status(read_status, state.has_accepted, made, campaign.deadline), made


# --- comments: where they point --------------------------------------------------------------


def resolve_comment(campaign: Campaign, comment: ReviewComment, unit_code: str = "") -> ReviewComment:
    """Check a comment's location against the campaign and name it as the unit sees it: the
    form by its sheet title, the column by its header, the outline item by its key."""
    text = clean(comment.text)
    where = f"góp ý cho đơn vị {unit_code}" if unit_code else "góp ý"
    if not text:
        raise SubmissionError("Góp ý không có nội dung.", where=where, fix="Ghi nội dung góp ý (điều đơn vị cần sửa).")
    if len(text) > MAX_COMMENT_LENGTH:
        raise SubmissionError(f"Góp ý dài {len(text)} ký tự, quá {MAX_COMMENT_LENGTH}.", where=where, fix="Rút gọn góp ý hoặc tách thành nhiều góp ý.")
    form_title, column = "", clean(comment.column)
    if clean(comment.form):
        form = find_form(campaign, comment.form)
        if form is None:
            raise SubmissionError(
                f"Không có biểu '{clean(comment.form)}' trong chiến dịch.",
                where=where,
                fix="Dùng mã biểu hoặc tên trang tính: " + "; ".join(f"{f.code} ({f.sheet})" for f in campaign.forms) + ".",
            )
        form_title = form.sheet
        if column:
            found = next((c for c in form.columns if c.key == column or header_key(column) in c.header_keys), None)
            if found is None:
                raise SubmissionError(
                    f"Biểu '{form.sheet}' không có cột '{column}'.",
                    where=where,
                    fix="Dùng tên cột như trên biểu: " + "; ".join(c.header for c in form.columns) + ".",
                )
            column = found.header
    elif column or comment.row is not None:
        raise SubmissionError("Góp ý chỉ dòng hoặc cột mà không nói biểu nào.", where=where, fix="Ghi thêm biểu (ví dụ PL02) cho góp ý.")
    if comment.row is not None and (not isinstance(comment.row, int) or comment.row < 1):
        raise SubmissionError(f"Số dòng '{comment.row}' không hợp lệ.", where=where, fix="Ghi số dòng trên trang tính, từ 1 trở lên.")
    item = clean(comment.outline_item)
    if item:
        keys = [i.key for i in campaign.outline_items]
        if item not in keys:
            raise SubmissionError(f"Đề cương không có mục '{item}'.", where=where, fix="Dùng một mục của đề cương: " + ", ".join(keys) + ".")
    return ReviewComment(text=text, form=form_title, row=comment.row, column=column, outline_item=item)


def find_form(campaign: Campaign, name: str) -> Form | None:
    """A form by its code or its sheet title, in any case."""
    wanted = header_key(name)
    return next((f for f in campaign.forms if header_key(f.code) == wanted or header_key(f.sheet) == wanted), None)


def parse_location(text: str) -> tuple[str, int | None, str]:
    """Parse "PL02:7:Số lượng" -> (form, row, column); "PL02", "PL02:7" and "PL02::Số lượng" too."""
    parts = [clean(p) for p in text.split(":", 2)]
    form = parts[0]
    row_text = parts[1] if len(parts) > 1 else ""
    column = parts[2] if len(parts) > 2 else ""
    row: int | None = None
    if row_text:
        if not row_text.isdigit():
            raise SubmissionError(
                f"Vị trí '{text}' không đúng dạng.", where="góp ý", fix='Ghi dạng BIỂU:DÒNG:CỘT, ví dụ "PL02:7:Số lượng" hoặc "PL02::Số lượng".'
            )
        row = int(row_text)
    return form, row, column


# --- helpers ---------------------------------------------------------------------------------


def _info(
    store, campaign: Campaign, code: str, events: Sequence[SubmissionEventRecord], state: UnitState | None, pdfs: list[SignedPdfRecord]
) -> SubmissionInfo:
    current = derive_state(events, state)
    confirmed = _last_confirmation(events)
    returned = next((e for e in reversed(events) if e.kind == "returned"), None)
    reviewed = next((e for e in reversed(events) if e.kind in ("accepted", "returned")), None)
    comments: tuple[ReviewComment, ...] = ()
    if returned is not None and reviewed is returned and current in ("returned", "entering"):
        comments = _comments_by_event(store, [returned.id]).get(returned.id, ())
    pdf = next((p for p in pdfs if confirmed is not None and p.event_id == confirmed.id), None)
    if campaign.submission.count == "confirmed":
        counted = counted_confirmation(events)
        counted_id = counted.version_id if counted else None
    else:
        counted_id = state.latest_version_id if state and state.has_accepted else None
    return SubmissionInfo(
        unit_code=code,
        state=current,
        state_label=submission_state_label(current),
        version_id=confirmed.version_id if confirmed else None,
        confirmed_at=confirmed.at if confirmed else None,
        confirmed_name=confirmed.name if confirmed else "",
        confirmed_position=confirmed.position if confirmed else "",
        doc_number=confirmed.doc_number if confirmed else "",
        doc_date=confirmed.doc_date if confirmed else None,
        on_time=confirmed.on_time if confirmed else None,
        pdf=_signed_pdf(pdf) if pdf else None,
        comments=comments,
        returned_version_id=returned.version_id if returned else None,
        latest_version_id=state.latest_version_id if state else None,
        counted_version_id=counted_id,
        reviewed_by=reviewed.by if reviewed else "",
        reviewed_at=reviewed.at if reviewed else None,
    )


def _events_and_state(svc: ServiceLike, code: str) -> tuple[list[SubmissionEventRecord], str]:
    events = svc.store.submission_events(code)
    state = svc.store.unit_states(svc.workspace.kind, code).get(code)
    return events, derive_state(events, state)


def _last_confirmation(events: Sequence[SubmissionEventRecord]) -> SubmissionEventRecord | None:
    return next((e for e in reversed(events) if e.kind == "confirmed"), None)


def _by_unit(events: Iterable[SubmissionEventRecord]) -> dict[str, list[SubmissionEventRecord]]:
    result: dict[str, list[SubmissionEventRecord]] = {}
    for event in events:
        result.setdefault(event.unit_code, []).append(event)
    return result


def _comments_by_event(store, event_ids: list[int]) -> dict[int, tuple[ReviewComment, ...]]:
    grouped: dict[int, list[ReviewComment]] = {}
    for c in store.review_comments(event_ids):
        grouped.setdefault(c.event_id, []).append(ReviewComment(c.text, c.form, c.row, c.column, c.outline_item))
    return {k: tuple(v) for k, v in grouped.items()}


def _event(event: SubmissionEventRecord, comments: tuple[ReviewComment, ...], pdf: SignedPdfRecord | None = None) -> SubmissionEvent:
    if event.kind == "confirmed":
        parts = [f"{event.name}, {event.position}"]
        if event.doc_number or event.doc_date:
            parts.append(
                " ".join(
                    p for p in (f"số {event.doc_number}" if event.doc_number else "", f"ngày {format_date(event.doc_date)}" if event.doc_date else "") if p
                )
            )
        parts.append("đúng hạn" if event.on_time else "trễ hạn")
        if pdf is not None:
            parts.append(f"kèm báo cáo đã ký {_pdf_detail(pdf)}")
        detail = "; ".join(parts)
    elif event.kind == "returned":
        detail = f"{len(comments)} góp ý"
    else:
        detail = event.note
    return SubmissionEvent(
        at=event.at,
        by=event.by,
        kind=event.kind,
        label=EVENT_LABELS.get(event.kind, event.kind),
        detail=detail,
        version_id=event.version_id,
        comments=comments,
    )


def _signed_pdf(pdf: SignedPdfRecord) -> SignedPdf:
    return SignedPdf(filename=pdf.filename, size=pdf.size, sha256=pdf.sha256, signer=pdf.signer, id=pdf.id, stored_at=pdf.stored_at)


def _pdf_detail(pdf: SignedPdfRecord) -> str:
    signer = f"; ký số: {pdf.signer}" if pdf.signer else "; không có chữ ký số"
    return f"{pdf.filename}{signer}"


def _same_version_message(current: str) -> str:
    if current == "returned":
        return "Phiên bản này đã bị trả lại; chưa có thay đổi nào kể từ đó."
    if current == "accepted":
        return "Phiên bản này đã được tiếp nhận."
    return "Phiên bản này đã được xác nhận gửi."


def _doc_date(value: date | str | None, code: str) -> date | None:
    if value is None or isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    if not clean(value):
        return None
    day = parse_date(value)
    if day is None:
        raise SubmissionError(
            f"Ngày văn bản '{clean(value)}' không đúng dạng ngày.", where=f"đơn vị {code}", fix='Ghi ngày theo dạng dd/mm/yyyy, ví dụ "15/04/2026".'
        )
    return day


def _filename(name: str) -> str:
    """A file name as a person gave it, without a path; "bao-cao-da-ky.pdf" when none."""
    base = clean(name).replace("\\", "/").rsplit("/", 1)[-1]
    return base or "bao-cao-da-ky.pdf"


def _comment_on_files(svc: ServiceLike, code: str, comments: Sequence[ReviewComment]) -> None:
    """Put the return's comments on the unit's Sheet/Doc where the workspace can (Google:
    Drive comments). A failure is logged: the return is recorded and shown on the unit page."""
    if not svc.workspace.capabilities.comments:
        return
    files = svc.store.unit_files(svc.workspace.kind).get(code)
    if files is None:
        return
    try:
        svc.workspace.add_comments(files, [(c.where, c.text, bool(c.outline_item)) for c in comments])
    except Exception as exc:  # the return is recorded; the unit page shows the comments anyway
        log.warning("could not put the return's comments on %s's files: %s", code, exc)


def format_confirmation(info: SubmissionInfo) -> str:
    """One line: "Nguyễn Văn A (Bí thư), 09:00 15/04/2026, số 12-BC/ĐU, đúng hạn"."""
    if info.confirmed_at is None:
        return ""
    parts = [f"{info.confirmed_name} ({info.confirmed_position})", format_datetime(info.confirmed_at)]
    if info.doc_number:
        parts.append(f"số {info.doc_number}")
    parts.append("đúng hạn" if info.on_time else "trễ hạn")
    return ", ".join(parts)


__all__ = [
    "EVENT_LABELS",
    "ReviewComment",
    "SignedPdf",
    "SubmissionError",
    "SubmissionEvent",
    "SubmissionInfo",
    "accept_submission",
    "attach_signed_pdf",
    "confirm_submission",
    "counted_records",
    "return_submission",
    "submission_events",
    "submission_info",
    "submission_states",
]
