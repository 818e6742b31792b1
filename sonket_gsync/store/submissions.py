"""The submission workflow's tables (issue 18): each act on a unit's submission (confirmed,
accepted, returned), the located comments of a return, and the signed PDFs.

The store keeps the acts; what state they make and which are legal is the app's
(app/submissions.py). A signed PDF's bytes are kept in the database (one place to back up,
SQLite and PostgreSQL alike), capped by ``upload_max_bytes`` before they get here; reading
the list of PDFs never loads them (``signed_pdf_data`` does).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from sonket_gsync.store import schema as s
from sonket_gsync.store.base import StoreBase, a_time
from sonket_gsync.store.engine import guarded
from sonket_gsync.store.lease import fence_check
from sonket_gsync.store.records import ReviewCommentRecord, SignedPdfRecord, SubmissionEventRecord

COMMENT_FIELDS = ("text", "form", "row", "column", "outline_item")


class SqlSubmissionStore(StoreBase):
    @guarded
    def add_submission_event(
        self,
        unit_code: str,
        kind: str,
        state: str,
        *,
        at: datetime,
        version_id: int | None = None,
        by: str = "",
        name: str = "",
        position: str = "",
        doc_number: str = "",
        doc_date: date | None = None,
        on_time: bool | None = None,
        note: str = "",
        comments: Sequence[Mapping[str, Any]] = (),
    ) -> SubmissionEventRecord:
        """Record one act and, for a return, its comments (each a mapping with ``text`` and
        optionally ``form``, ``row``, ``column``, ``outline_item``), in one transaction."""
        values = dict(
            unit_code=unit_code,
            kind=kind,
            state=state,
            version_id=version_id,
            at=at.isoformat(),
            by=by,
            name=name,
            position=position,
            doc_number=doc_number,
            doc_date=doc_date.isoformat() if doc_date else "",
            on_time=None if on_time is None else int(on_time),
            note=note,
        )
        with self._write() as conn:
            fence_check(self, conn)
            event_id = int(conn.execute(s.submission_events.insert().values(**values)).inserted_primary_key[0])
            for comment in comments:
                conn.execute(
                    s.review_comments.insert().values(
                        unit_code=unit_code,
                        event_id=event_id,
                        text=str(comment["text"]),
                        form=str(comment.get("form") or ""),
                        row=comment.get("row"),
                        column=str(comment.get("column") or ""),
                        outline_item=str(comment.get("outline_item") or ""),
                    )
                )
            row = conn.execute(select(s.submission_events).where(s.submission_events.c.id == event_id)).mappings().one()
        return _event(row)

    @guarded
    def submission_events(self, unit_code: str | None = None) -> list[SubmissionEventRecord]:
        """The acts on one unit's submission (``unit_code``) or on every unit's, oldest first."""
        e = s.submission_events
        query = select(e).order_by(e.c.id)
        if unit_code is not None:
            query = query.where(e.c.unit_code == unit_code)
        with self._read() as conn:
            return [_event(r) for r in conn.execute(query).mappings()]

    @guarded
    def review_comments(self, event_ids: Iterable[int]) -> list[ReviewCommentRecord]:
        """The comments of these returns, in the order they were given."""
        ids = list(event_ids)
        if not ids:
            return []
        c = s.review_comments
        with self._read() as conn:
            rows = conn.execute(select(c).where(c.c.event_id.in_(ids)).order_by(c.c.id)).mappings()
            return [
                ReviewCommentRecord(
                    id=r["id"],
                    unit_code=r["unit_code"],
                    event_id=r["event_id"],
                    text=r["text"],
                    form=r["form"],
                    row=r["row"],
                    column=r["column"],
                    outline_item=r["outline_item"],
                )
                for r in rows
            ]

    @guarded
    def save_signed_pdf(
        self,
        unit_code: str,
        *,
        filename: str,
        data: bytes,
        sha256: str,
        signer: str = "",
        event_id: int | None = None,
        version_id: int | None = None,
        by: str = "",
        at: datetime,
    ) -> SignedPdfRecord:
        """Keep a unit's signed PDF (checked by forms/signed_pdf.py before it gets here)."""
        p = s.signed_pdfs
        with self._write() as conn:
            fence_check(self, conn)
            pdf_id = conn.execute(
                p.insert().values(
                    unit_code=unit_code,
                    event_id=event_id,
                    version_id=version_id,
                    filename=filename,
                    size=len(data),
                    sha256=sha256,
                    signer=signer,
                    data=data,
                    stored_at=at.isoformat(),
                    by=by,
                )
            ).inserted_primary_key[0]
            row = conn.execute(select(*_PDF_COLUMNS).where(p.c.id == pdf_id)).mappings().one()
        return _pdf(row)

    @guarded
    def signed_pdfs(self, unit_code: str | None = None) -> list[SignedPdfRecord]:
        """The signed PDFs of one unit (or every unit), newest first, without their bytes."""
        p = s.signed_pdfs
        query = select(*_PDF_COLUMNS).order_by(p.c.id.desc())
        if unit_code is not None:
            query = query.where(p.c.unit_code == unit_code)
        with self._read() as conn:
            return [_pdf(r) for r in conn.execute(query).mappings()]

    @guarded
    def signed_pdf_data(self, pdf_id: int) -> bytes | None:
        """The bytes of one stored PDF, or None if there is no such PDF."""
        with self._read() as conn:
            data = conn.execute(select(s.signed_pdfs.c.data).where(s.signed_pdfs.c.id == pdf_id)).scalar()
        return None if data is None else bytes(data)

    @guarded
    def version_contents(self, version_ids: Iterable[int]) -> dict[int, tuple[str, str, datetime]]:
        """version id -> (unit code, content JSON, file time) for these versions, in one query."""
        ids = list(version_ids)
        if not ids:
            return {}
        v = s.versions
        with self._read() as conn:
            rows = conn.execute(select(v.c.id, v.c.unit_code, v.c.content, v.c.source_modified_at).where(v.c.id.in_(ids))).all()
        return {r[0]: (r[1], r[2], a_time(r[3])) for r in rows}


_PDF_COLUMNS = tuple(c for c in s.signed_pdfs.c if c.name != "data")


def _event(row) -> SubmissionEventRecord:
    return SubmissionEventRecord(
        id=row["id"],
        unit_code=row["unit_code"],
        kind=row["kind"],
        state=row["state"],
        version_id=row["version_id"],
        at=a_time(row["at"]),
        by=row["by"],
        name=row["name"],
        position=row["position"],
        doc_number=row["doc_number"],
        doc_date=date.fromisoformat(row["doc_date"]) if row["doc_date"] else None,
        on_time=None if row["on_time"] is None else bool(row["on_time"]),
        note=row["note"],
    )


def _pdf(row) -> SignedPdfRecord:
    return SignedPdfRecord(
        id=row["id"],
        unit_code=row["unit_code"],
        event_id=row["event_id"],
        version_id=row["version_id"],
        filename=row["filename"],
        size=row["size"],
        sha256=row["sha256"],
        signer=row["signer"],
        stored_at=a_time(row["stored_at"]),
        by=row["by"],
    )


__all__ = ["SqlSubmissionStore"]
