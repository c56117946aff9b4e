"""A tender's documents: the files an invited supplier sends with its tender.

An upload passes the same checks as the buyer's call-off documents and the suppliers' own
(``dps.services.suppliers.document_checks``: a title of at most 200 characters, a file whose
type is found from its content, not too large, and a clean virus scan), is kept through the
storage interface (``dps.outside.storage``) with its SHA-256, and is audited. Documents are
added to and taken off the organisation's tender (a draft is started if there is none) only
while the call-off is open for tenders, by the same gate as every other change to a tender
(``tendering``): a supplier not invited is "not found", and at or after the deadline, to the
second, ``TenderClosed``. A removed document stays in storage and in the audit trail.

What the buyer may read is what was sent: the documents listed in the tender's snapshot (with
their SHA-256) when it was sent, and only once the tenders are opened (``sealing``); before
that, a document is "not found", as if it did not exist.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any, BinaryIO

from sqlalchemy import select

from dps.extensions import db
from dps.models.accounts import User
from dps.models.calloffs import CallOff
from dps.models.tenders import Tender, TenderDocument
from dps.outside import storage
from dps.rules.refusals import NotFound
from dps.services.calloffs import sealing, supplier_view, tendering
from dps.services.calloffs.tendering import CLOSED_MESSAGE, TenderClosed
from dps.services.common import audit, stored_files
from dps.services.suppliers import document_checks
from dps.services.suppliers.document_checks import DocumentRefused, UploadedFile

__all__ = [
    "DocumentRefused",
    "TenderDocumentNotFound",
    "current",
    "for_buyer",
    "for_supplier",
    "remove",
    "upload",
]


class TenderDocumentNotFound(NotFound):
    """No such document of this tender for this reader (or not yet, while sealed)."""


def current(tender: Tender | None) -> list[TenderDocument]:
    """The tender's documents that have not been taken off, in the order they were added."""
    if tender is None:
        return []
    return [document for document in tender.documents if document.removed_at is None]


def title_for(title: str | None, filename: str) -> str:
    """The title typed, tidied; the file's name without its extension when none is typed."""
    cleaned = " ".join((title or "").split())
    if len(cleaned) > document_checks.TITLE_MAX_LENGTH:
        raise DocumentRefused(
            f"The title must be {document_checks.TITLE_MAX_LENGTH} characters or fewer",
            field="title",
        )
    return cleaned or PurePosixPath(filename).stem[: document_checks.TITLE_MAX_LENGTH] or filename


def upload(
    call_off_id: int,
    organisation_id: int,
    title: str | None,
    file_storage: UploadedFile | None,
    *,
    actor: User,
    at: datetime,
) -> TenderDocument:
    """Check, scan and keep a file as a document of the organisation's tender.

    InvitationNotFound for a supplier not invited, TenderClosed at or after the deadline (or
    when the call-off is not open), DocumentRefused (``field`` "title" or "file") for anything
    wrong with the upload, TenderRefused when the organisation has declined to bid.
    """
    call_off = supplier_view.get_invitation(call_off_id, organisation_id)
    _refuse_when_closed(call_off, at)  # before the scan: no file is kept for a closed call-off
    title_for(title, "")  # a title too long is refused before the file is read
    checked, data = document_checks.read_and_check(file_storage)
    scan_result = document_checks.scan(data, checked.filename)
    call_off = tendering.open_for(call_off_id, organisation_id, at)  # locked, checked again
    tender = tendering.tender_for(call_off, organisation_id, actor, at)
    key = stored_files.store(data)
    document = TenderDocument(
        title=title_for(title, checked.filename),
        filename=checked.filename,
        content_type=checked.file_type.content_type,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_key=key,
        uploaded_at=at,
        uploaded_by_id=actor.id,
    )
    tender.documents.append(document)
    tender.updated_at = at
    tender.updated_by_id = actor.id
    db.session.flush()
    audit.record(
        "tender_document.uploaded",
        document,
        actor=actor,
        after=_summary(document) | {"scan_result": scan_result},
    )
    db.session.commit()
    return document


def remove(
    call_off_id: int, organisation_id: int, document_id: int, *, actor: User, at: datetime
) -> TenderDocument:
    """Take a document off the organisation's tender before the deadline (its file is kept).
    A tender already sent keeps what it sent until it is sent again."""
    call_off = tendering.open_for(call_off_id, organisation_id, at)
    tender = supplier_view.tender_of(call_off.id, organisation_id)
    document = next((d for d in current(tender) if d.id == document_id), None)
    if tender is None or document is None:
        db.session.rollback()
        raise TenderDocumentNotFound(document_id)
    document.removed_at = at
    tender.updated_at = at
    tender.updated_by_id = actor.id
    audit.record(
        "tender_document.removed",
        document,
        actor=actor,
        before={"removed_at": None},
        after={"removed_at": at.isoformat(), "title": document.title},
    )
    db.session.commit()
    return document


def for_supplier(call_off_id: int, organisation_id: int, document_id: int) -> TenderDocument:
    """A document of the organisation's own tender, removed or not (what it sent stays its
    own to read); not found for anyone else's, or a call-off it was not invited to."""
    supplier_view.get_invitation(call_off_id, organisation_id)
    document = db.session.scalar(
        select(TenderDocument)
        .join(Tender, Tender.id == TenderDocument.tender_id)
        .where(
            TenderDocument.id == document_id,
            Tender.call_off_id == call_off_id,
            Tender.organisation_id == organisation_id,
        )
    )
    if document is None:
        raise TenderDocumentNotFound(document_id)
    return document


def for_buyer(
    call_off: CallOff, tender_id: int, document_id: int, at: datetime, *, actor: User
) -> TenderDocument:
    """A document the supplier sent with an opened tender of ``call_off`` (which the caller
    has loaded within the reader's organisation): one its snapshot lists. Not found while the
    tenders are sealed (the first read after the deadline opens them), or for anything else."""
    tender = next(
        (t for t in sealing.tenders_for_buyer(call_off, at, actor=actor) if t.id == tender_id),
        None,
    )
    if tender is None or document_id not in sent_ids(tender):
        raise TenderDocumentNotFound(document_id)
    document = db.session.scalar(
        select(TenderDocument).where(
            TenderDocument.id == document_id, TenderDocument.tender_id == tender.id
        )
    )
    if document is None:
        raise TenderDocumentNotFound(document_id)
    return document


def sent_ids(tender: Tender) -> set[int]:
    """The ids of the documents the tender's snapshot lists as sent."""
    return {int(d["id"]) for d in (tender.snapshot or {}).get("documents") or []}


def open_document(document: TenderDocument) -> BinaryIO:
    """The stored bytes of the document (StoredFileMissing if they are gone)."""
    return storage.get_storage().open(document.storage_key)


def _refuse_when_closed(call_off: CallOff, at: datetime) -> None:
    if sealing.deadline_passed(call_off, at):
        raise TenderClosed(CLOSED_MESSAGE)


def _summary(document: TenderDocument) -> dict[str, Any]:
    return {
        "tender_id": document.tender_id,
        "title": document.title,
        "filename": document.filename,
        "content_type": document.content_type,
        "size_bytes": document.size_bytes,
        "sha256": document.sha256,
    }
