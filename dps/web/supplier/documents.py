"""Supplier area: documents. The list, uploading a document or a new version, a document's
history of versions, and downloading any version.

Every document asked for, by URL or by a form field, is looked up within the signed-in
user's organisation; another organisation's is "not found", like one that does not exist.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from dps.models.documents import Document
from dps.outside import filetypes
from dps.rules import digits
from dps.rules.enums import DocumentKind
from dps.services.suppliers import documents
from dps.web.access import Area, allow, current_actor, organisation_id_or_404
from dps.web.auth.routes import safe_next
from dps.web.downloads import document_download
from dps.web.numbers import id_argument
from dps.web.refusals import show_refusal
from dps.web.supplier import bp
from dps.web.supplier.documents_forms import DocumentForm, KindForm
from dps.web.supplier.uploads import too_large_page

UPLOAD_ENDPOINT = "supplier.upload_document"


def _document_or_404(document_id: Any) -> Document:
    wanted = digits.an_id(document_id)
    if wanted is None:
        abort(404)
    found = documents.get_document(wanted, organisation_id_or_404())
    if found is None:
        abort(404)
    return found


@bp.app_template_filter("document_expiry")
def _document_expiry(document: Document) -> str | None:
    """'expired', 'expires_soon' or None: for the tags on any page that lists documents."""
    return documents.expiry_status(document)


@bp.app_template_filter("file_size")
def _file_size(size_bytes: int) -> str:
    return filetypes.describe_size(size_bytes)


@bp.app_template_filter("file_type_name")
def _file_type_name(content_type: str) -> str:
    found = filetypes.by_content_type(content_type)
    return found.name if found else content_type


@bp.get("/documents", endpoint="documents")
@allow(Area.SUPPLIER)
def documents_list() -> str:
    current = documents.current_documents(organisation_id_or_404())
    held = {document.kind for document in current}
    return render_template(
        "supplier/documents.html",
        documents=current,
        not_uploaded=[k for k in DocumentKind if k not in held and k != DocumentKind.OTHER],
        next_url=safe_next(request.args.get("next")),
        size_limit=_size_limit(),
    )


@bp.route("/documents/new", methods=["GET", "POST"])
@allow(Area.SUPPLIER)
def choose_document_kind() -> str | Response:
    form = KindForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if form.validate_on_submit():
        return redirect(
            url_for(UPLOAD_ENDPOINT, kind=form.kind.data, next=safe_next(form.next.data) or None)
        )
    return render_template(
        "supplier/documents_kind.html",
        form=form,
        kind_items=form.kind_items(),
        back_url=safe_next(form.next.data) or url_for("supplier.documents"),
    )


@bp.route("/documents/upload", methods=["GET", "POST"])
@allow(Area.SUPPLIER)
def upload_document() -> str | Response:
    form = DocumentForm()
    replaced = _replaced(form)
    kind = replaced.kind if replaced else _kind_in_url()
    if kind is None:
        next_url = safe_next(request.args.get("next"))
        return redirect(url_for("supplier.choose_document_kind", next=next_url))
    form.ask_expiry(kind.is_insurance)
    if request.method == "GET":
        form.start_from(replaced, safe_next(request.args.get("next")))
    if form.validate_on_submit():
        try:
            document = documents.upload(
                organisation_id_or_404(),
                kind,
                form.title.data,
                form.file.data,
                form.expiry(),
                actor=current_actor(),
                replaces_id=replaced.id if replaced else None,
            )
        except documents.DocumentRefused as refused:
            show_refusal(form, refused, field="file")
        else:
            flash(f"‘{document.title}’ has been uploaded", "success")
            return redirect(safe_next(form.next.data) or url_for("supplier.documents"))
    return _upload_page(form, kind, replaced)


def _kind_in_url() -> DocumentKind | None:
    try:
        return DocumentKind(request.args.get("kind", ""))
    except ValueError:
        return None


def _replaced(form: DocumentForm) -> Document | None:
    """The document a new version replaces, named in the URL (to show the page) or in the
    form (when it is sent); 404 when it is not one of the organisation's documents."""
    wanted = form.replaces.data if request.method == "POST" else request.args.get("replaces")
    return _document_or_404(wanted) if wanted else None


def _upload_page(form: DocumentForm, kind: DocumentKind, replaced: Document | None) -> str:
    next_url = safe_next(form.next.data)
    return render_template(
        "supplier/documents_upload.html",
        form=form,
        kind=kind,
        replaced=replaced,
        accept=filetypes.ACCEPT_ATTRIBUTE,
        back_url=next_url or url_for("supplier.documents"),
        change_kind_url=url_for("supplier.choose_document_kind", next=next_url),
        size_limit=_size_limit(),
    )


def _size_limit() -> str:
    return filetypes.size_limit(int(current_app.config["DOCUMENT_MAX_BYTES"]))


@too_large_page(UPLOAD_ENDPOINT)
def _upload_too_large(message: str) -> str | None:
    """The upload page with the reason, as for any other file refused. The body was not read,
    so nothing else typed can be shown again."""
    replaced = _replaced_from_url()
    kind = replaced.kind if replaced else _kind_in_url()
    if kind is None:
        return None
    form = DocumentForm(formdata=None)
    form.ask_expiry(kind.is_insurance)
    form.start_from(replaced, safe_next(request.args.get("next")))
    form.file.errors = [message]
    return _upload_page(form, kind, replaced)


def _replaced_from_url() -> Document | None:
    wanted = id_argument("replaces")
    if wanted is None:
        return None
    return documents.get_document(wanted, organisation_id_or_404())


@bp.get("/documents/<int:document_id>")
@allow(Area.SUPPLIER)
def document(document_id: int) -> str:
    found = _document_or_404(document_id)
    return render_template(
        "supplier/documents_document.html",
        document=found,
        versions=documents.versions(found),
        next_url=safe_next(request.args.get("next")),
    )


@bp.get("/documents/<int:document_id>/download")
@allow(Area.SUPPLIER)
def download_document(document_id: int) -> Response:
    found = _document_or_404(document_id)
    return document_download(found)
