"""Sending a kept document to the browser, the same way on every page that offers one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, BinaryIO, Protocol

from flask import abort, current_app, send_file
from werkzeug.wrappers import Response

from dps.models.calloffs import CallOffDocument
from dps.models.documents import Document
from dps.models.tenders import TenderDocument
from dps.outside import filetypes
from dps.outside.storage import StoredFileMissing
from dps.services.calloffs import documents as calloff_documents
from dps.services.calloffs import tender_documents
from dps.services.suppliers import documents


class KeptFile(Protocol):
    id: int
    filename: str
    content_type: str
    sha256: str


def document_download(document: Document) -> Response:
    """A supplier's document as an attachment; callers check who may read it."""
    return _kept_file(document, documents.open_document, "Document")


def tender_document_download(document: TenderDocument) -> Response:
    """A tender's document; callers check who may read it (the sealing rules)."""
    return _kept_file(document, tender_documents.open_document, "Tender document")


def calloff_document_download(document: CallOffDocument) -> Response:
    """A call-off's document; callers check who may read it (its buyer, or a supplier invited)."""
    return _kept_file(document, calloff_documents.open_document, "Call-off document")


def _kept_file(document: Any, open_file: Callable[[Any], BinaryIO], what: str) -> Response:
    """The file as an attachment, named for its type; 404 when it is missing from storage
    (logged: it should never happen)."""
    try:
        stored = open_file(document)
    except StoredFileMissing:
        current_app.logger.error("%s %s: its file is missing from storage", what, document.id)
        abort(404)
    return _attachment(document, stored)


def _attachment(document: KeptFile, stored: BinaryIO) -> Response:
    file_type = filetypes.by_content_type(document.content_type) or filetypes.PDF
    response = send_file(
        stored,
        mimetype=document.content_type,
        as_attachment=True,
        download_name=filetypes.download_name(document.filename, file_type),
        etag=document.sha256,
        conditional=False,
    )
    # The type is the one found from the content when it was uploaded: browsers must not guess.
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
