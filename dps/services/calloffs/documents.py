"""A call-off's documents: the files of the requirement that invited suppliers read.

An upload passes the same checks as a supplier's documents (``dps.services.suppliers.
document_checks``: a title of at most 200 characters, a file whose type is found from its
content, not too large, and a clean virus scan), is kept through the storage interface
(``dps.outside.storage``) with its SHA-256, and is audited. Documents are added and taken off
only while the call-off is a draft; a removed one stays in storage and in the audit trail.

Who may read them: the call-off's own organisation (``get_document`` takes its id), and, once
published, the suppliers invited to it (``get_for_invited_supplier``).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, BinaryIO

from sqlalchemy import select

from dps.extensions import db
from dps.models.accounts import User
from dps.models.base import utcnow
from dps.models.calloffs import CallOff, CallOffDocument, CallOffInvitation
from dps.outside import storage
from dps.rules.enums import CallOffStatus
from dps.rules.refusals import NotFound
from dps.services.calloffs.drafting import require_editable
from dps.services.common import audit, stored_files
from dps.services.suppliers import document_checks
from dps.services.suppliers.document_checks import DocumentRefused, UploadedFile

__all__ = ["CallOffDocumentNotFound", "DocumentRefused", "current", "remove", "upload"]


class CallOffDocumentNotFound(NotFound):
    """No such document of this call-off for this reader."""


def current(call_off: CallOff) -> list[CallOffDocument]:
    """The call-off's documents that have not been taken off, in the order they were added."""
    return [document for document in call_off.documents if document.removed_at is None]


def upload(
    call_off: CallOff,
    title: str | None,
    file_storage: UploadedFile | None,
    *,
    actor: User,
    at: datetime | None = None,
) -> CallOffDocument:
    """Check, scan and keep a file as a document of a draft call-off.

    NotAllowed for anyone but a buyer of its organisation, CallOffLocked once published or
    cancelled, DocumentRefused (``field`` "title" or "file") for anything wrong with the upload.
    """
    require_editable(call_off, actor)
    cleaned = " ".join((title or "").split())
    if not cleaned:
        raise DocumentRefused("Enter a title for the document", field="title")
    if len(cleaned) > document_checks.TITLE_MAX_LENGTH:
        raise DocumentRefused(
            f"The title must be {document_checks.TITLE_MAX_LENGTH} characters or fewer",
            field="title",
        )
    checked, data = document_checks.read_and_check(file_storage)
    scan_result = document_checks.scan(data, checked.filename)
    key = stored_files.store(data)
    now = at or utcnow()
    document = CallOffDocument(
        call_off_id=call_off.id,
        title=cleaned,
        filename=checked.filename,
        content_type=checked.file_type.content_type,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_key=key,
        scan_result=scan_result,
        uploaded_at=now,
        uploaded_by_id=actor.id,
    )
    db.session.add(document)
    db.session.flush()
    audit.record("call_off_document.uploaded", document, actor=actor, after=_summary(document))
    call_off.updated_at = now
    db.session.commit()
    db.session.refresh(call_off)
    return document


def remove(
    call_off: CallOff, document_id: int, *, actor: User, at: datetime | None = None
) -> CallOffDocument:
    """Take a document off a draft call-off (its file is kept). CallOffDocumentNotFound when it
    is not one of this call-off's current documents."""
    require_editable(call_off, actor)
    document = get_document(call_off, document_id)
    if document.removed_at is not None:
        raise CallOffDocumentNotFound(document_id)
    now = at or utcnow()
    document.removed_at = now
    call_off.updated_at = now
    audit.record(
        "call_off_document.removed",
        document,
        actor=actor,
        before={"removed_at": None},
        after={"removed_at": now.isoformat(), "title": document.title},
    )
    db.session.commit()
    db.session.refresh(call_off)
    return document


def get_document(call_off: CallOff, document_id: int) -> CallOffDocument:
    """A document of ``call_off`` (which the caller has already loaded within its
    organisation), removed or not; CallOffDocumentNotFound otherwise."""
    document = db.session.scalar(
        select(CallOffDocument).where(
            CallOffDocument.id == document_id, CallOffDocument.call_off_id == call_off.id
        )
    )
    if document is None:
        raise CallOffDocumentNotFound(document_id)
    return document


def get_for_invited_supplier(
    call_off_id: int, document_id: int, supplier_organisation_id: int
) -> CallOffDocument:
    """A current document of a published call-off to which the supplier was invited; not
    found for a draft, a removed document, or a supplier that was not invited."""
    document = db.session.scalar(
        select(CallOffDocument)
        .join(CallOff, CallOff.id == CallOffDocument.call_off_id)
        .join(CallOffInvitation, CallOffInvitation.call_off_id == CallOff.id)
        .where(
            CallOffDocument.id == document_id,
            CallOffDocument.call_off_id == call_off_id,
            CallOffDocument.removed_at.is_(None),
            CallOff.status != CallOffStatus.DRAFT,
            CallOffInvitation.organisation_id == supplier_organisation_id,
        )
    )
    if document is None:
        raise CallOffDocumentNotFound(document_id)
    return document


def open_document(document: CallOffDocument) -> BinaryIO:
    """The stored bytes of the document (StoredFileMissing if they are gone)."""
    return storage.get_storage().open(document.storage_key)


def verify_checksum(document: CallOffDocument) -> bool:
    """Whether the stored bytes still have the SHA-256 recorded when they were uploaded."""
    return storage.has_checksum(document.storage_key, document.sha256)


def _summary(document: CallOffDocument) -> dict[str, Any]:
    return {
        "call_off_id": document.call_off_id,
        "title": document.title,
        "filename": document.filename,
        "content_type": document.content_type,
        "size_bytes": document.size_bytes,
        "sha256": document.sha256,
        "scan_result": document.scan_result,
    }
