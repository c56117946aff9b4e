"""Sending a kept document to the browser, the same way on every page that offers one."""

from __future__ import annotations

from flask import abort, current_app, send_file
from werkzeug.wrappers import Response

from dps.models.documents import Document
from dps.outside import filetypes
from dps.outside.storage import StoredFileMissing
from dps.services.suppliers import documents


def document_download(document: Document) -> Response:
    """The document's file as an attachment, named for its type; 404 when its file is missing
    from storage (logged: it should never happen). Callers check who may read it."""
    file_type = filetypes.by_content_type(document.content_type) or filetypes.PDF
    try:
        stored = documents.open_document(document)
    except StoredFileMissing:
        current_app.logger.error("Document %s: its file is missing from storage", document.id)
        abort(404)
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
