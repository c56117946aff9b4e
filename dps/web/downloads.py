"""Sending a kept document to the browser, the same way on every page that offers one."""

from __future__ import annotations

from typing import BinaryIO

from flask import abort, current_app, send_file
from werkzeug.wrappers import Response

from dps.models.documents import Document
from dps.models.tenders import TenderDocument
from dps.outside import filetypes
from dps.outside.storage import StoredFileMissing
from dps.services.calloffs import tender_documents
from dps.services.suppliers import documents


def document_download(document: Document) -> Response:
    """The document's file as an attachment, named for its type; 404 when its file is missing
    from storage (logged: it should never happen). Callers check who may read it."""
    try:
        stored = documents.open_document(document)
    except StoredFileMissing:
        current_app.logger.error("Document %s: its file is missing from storage", document.id)
        abort(404)
    return _attachment(document, stored)


def tender_document_download(document: TenderDocument) -> Response:
    """A tender's document, the same way; callers check who may read it (the sealing rules)."""
    try:
        stored = tender_documents.open_document(document)
    except StoredFileMissing:
        current_app.logger.error("Tender document %s: its file is missing", document.id)
        abort(404)
    return _attachment(document, stored)


def _attachment(document: Document | TenderDocument, stored: BinaryIO) -> Response:
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
