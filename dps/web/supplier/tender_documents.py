"""Supplier area: the documents of the organisation's tender, on the tender page. Uploading one
(the file's checks, scan and storage are the service's; a refusal is shown in the page's error
summary, a file over the request limit gets the same page with the reason), taking one off, and
downloading its own.

Every call-off is looked up through the organisation's invitations, and every document through
its own tender: anything else is "not found". The server's clock decides whether the deadline
has passed; after it the page shows no forms and any post is refused with the reason.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from dps.models.base import utcnow
from dps.rules.refusals import Refusal
from dps.services.calloffs import supplier_view, tender_documents
from dps.services.calloffs.tender_documents import DocumentRefused
from dps.services.calloffs.tendering import TenderClosed, TenderRefused
from dps.web.access import Area, allow, current_actor, organisation_id_or_404
from dps.web.downloads import tender_document_download
from dps.web.supplier import bp
from dps.web.supplier import calloff_pages as pages
from dps.web.supplier.uploads import too_large_page

UPLOAD_ENDPOINT = "supplier.calloff_tender_upload"

Page = str | tuple[str, int] | WerkzeugResponse


def _tender_page(
    call_off_id: int, problems: list[Refusal], status: int, document_title: str = ""
) -> tuple[str, int]:
    """The tender page again, with the problems in its error summary."""
    organisation_id, at = organisation_id_or_404(), utcnow()
    invitation = supplier_view.invitation_for(call_off_id, organisation_id, at)
    context = pages.tender_context(invitation, at, problems, document_title=document_title)
    return render_template("supplier/calloff_tender.html", **context), status


def _to_documents(call_off_id: int) -> WerkzeugResponse:
    return redirect(
        url_for("supplier.calloff_tender", call_off_id=call_off_id, _anchor="documents")
    )


@bp.post("/call-offs/<int:call_off_id>/tender/documents")
@allow(Area.SUPPLIER)
def calloff_tender_upload(call_off_id: int) -> Page:
    organisation_id = organisation_id_or_404()
    supplier_view.get_invitation(call_off_id, organisation_id)  # not invited: not found
    title = request.form.get("document-title", "")
    try:
        document = tender_documents.upload(
            call_off_id,
            organisation_id,
            title,
            request.files.get("document-file"),
            actor=current_actor(),
            at=utcnow(),
        )
    except DocumentRefused as refused:
        field = pages.DOCUMENT_FIELDS.get(refused.field, "document-file")
        return _tender_page(call_off_id, [Refusal(refused.message, field=field)], 400, title)
    except TenderClosed as closed:
        return _tender_page(call_off_id, [Refusal(closed.message)], 400)
    except TenderRefused as refused:
        return _tender_page(call_off_id, refused.problems, 400)
    flash(f"‘{document.title}’ has been added to your tender", "success")
    return _to_documents(call_off_id)


@too_large_page(UPLOAD_ENDPOINT)
def _upload_too_large(message: str, call_off_id: int) -> str | None:
    """The tender page with the reason on the file field (the body was not read)."""
    try:
        page, _ = _tender_page(
            call_off_id, [Refusal(message, field=pages.DOCUMENT_FIELDS["file"])], 413
        )
    except supplier_view.InvitationNotFound:
        return None
    return page


@bp.post("/call-offs/<int:call_off_id>/tender/documents/<int:document_id>/remove")
@allow(Area.SUPPLIER)
def calloff_tender_remove(call_off_id: int, document_id: int) -> Page:
    try:
        document = tender_documents.remove(
            call_off_id,
            organisation_id_or_404(),
            document_id,
            actor=current_actor(),
            at=utcnow(),
        )
    except TenderClosed as closed:
        return _tender_page(call_off_id, [Refusal(closed.message)], 400)
    flash(f"‘{document.title}’ has been taken off your tender", "success")
    return _to_documents(call_off_id)


@bp.get("/call-offs/<int:call_off_id>/tender/documents/<int:document_id>")
@allow(Area.SUPPLIER)
def calloff_tender_document(call_off_id: int, document_id: int) -> WerkzeugResponse:
    document = tender_documents.for_supplier(call_off_id, organisation_id_or_404(), document_id)
    return tender_document_download(document)
