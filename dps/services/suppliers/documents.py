"""A supplier's evidence: insurance certificates, accounts and policies.

Documents belong to the organisation and are reused by every application it makes. A file is
accepted only when its content is a PDF, DOCX, XLSX, ODT, PNG or JPEG that agrees with its name
(``dps.outside.filetypes``), has passed the virus-scan hook, and is stored through the storage
interface with its SHA-256 checksum (``dps.outside.storage``); the checks an upload must pass are
``dps.services.suppliers.document_checks``. Replacing a document keeps the old version, pointing
at its successor: nothing uploaded is ever deleted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any, BinaryIO

from dps.extensions import db
from dps.models.accounts import User
from dps.models.base import utcnow
from dps.models.documents import Document
from dps.models.dps import Lot
from dps.outside import storage
from dps.rules.calendar import london_date
from dps.rules.enums import DocumentKind, SectionStatus
from dps.rules.refusals import NotFound
from dps.rules.timefmt import format_date
from dps.services.common import audit, stored_files
from dps.services.common.locking import lock_row
from dps.services.dps.period import current_dps
from dps.services.suppliers import document_checks
from dps.services.suppliers.document_checks import DocumentRefused, UploadedFile

EXPIRES_SOON_DAYS = 30

INSURANCE_KINDS = tuple(kind for kind in DocumentKind if kind.is_insurance)
KIND_ORDER = {kind: position for position, kind in enumerate(DocumentKind)}

# The lot's minimum cover that makes each certificate part of the evidence asked for.
LOT_MINIMUM_COVER = {
    DocumentKind.EMPLOYERS_LIABILITY: "min_employers_liability_pence",
    DocumentKind.PUBLIC_LIABILITY: "min_public_liability_pence",
    DocumentKind.PROFESSIONAL_INDEMNITY: "min_professional_indemnity_pence",
}

# Question ids of the selection questionnaire (dps/questionnaires/*.json) that decide which
# evidence is asked for. Accounts: an organisation too new for a full year's accounts gives
# other evidence in its answers instead.
ACCOUNTS_QUESTION_ID = "accounts_available"
ACCOUNTS_TOO_NEW_ANSWER = "too_new"
# A policy is asked for unless the organisation has said it does not have one (a small employer
# need not have a written health and safety policy, for example). Unanswered, it is asked for.
HEALTH_AND_SAFETY_QUESTION_ID = "hs_policy"
EQUALITY_QUESTION_ID = "eq_policy"
DATA_PROTECTION_MEASURES_QUESTION_ID = "dp_measures"
DATA_PROTECTION_POLICY_MEASURE = "policy"


class DocumentNotFound(NotFound):
    """No such document in this organisation (another organisation's is not found either)."""


def today() -> date:
    return london_date(utcnow())


# --- reading ------------------------------------------------------------------------------------


def get_document(document_id: int, organisation_id: int) -> Document | None:
    """The document with this id if it belongs to the organisation; None otherwise."""
    return db.session.scalars(
        db.select(Document).where(
            Document.id == document_id, Document.organisation_id == organisation_id
        )
    ).first()


def current_documents(organisation_id: int) -> list[Document]:
    """The organisation's documents that have not been replaced, by kind, newest first."""
    found = db.session.scalars(
        db.select(Document)
        .where(Document.organisation_id == organisation_id, Document.replaced_by_id.is_(None))
        .order_by(Document.uploaded_at.desc(), Document.id.desc())
    )
    return sorted(found, key=lambda document: KIND_ORDER[document.kind])


def versions(document: Document) -> list[Document]:
    """Every version of the document, newest first (the one given may be any of them)."""

    def in_organisation(*conditions: Any) -> Document | None:
        return db.session.scalars(
            db.select(Document).where(
                Document.organisation_id == document.organisation_id, *conditions
            )
        ).first()

    newest = document
    while newest.replaced_by_id is not None:
        successor = in_organisation(Document.id == newest.replaced_by_id)
        if successor is None:
            break
        newest = successor
    chain = [newest]
    while (older := in_organisation(Document.replaced_by_id == chain[-1].id)) is not None:
        chain.append(older)
    return chain


def expiry_status(document: Document, on: date | None = None) -> str | None:
    """ "expired", "expires_soon" (within 30 days) or None, for a document with an expiry date."""
    if document.expires_on is None:
        return None
    on = on or today()
    if document.expires_on < on:
        return "expired"
    if document.expires_on <= on + timedelta(days=EXPIRES_SOON_DAYS):
        return "expires_soon"
    return None


def expiring_within(organisation_id: int, days: int, on: date | None = None) -> list[Document]:
    """Current documents whose expiry date is within ``days`` of today, soonest first.

    Ones that have already expired are included: they need replacing even more urgently.
    """
    limit = (on or today()) + timedelta(days=days)
    return list(
        db.session.scalars(
            db.select(Document)
            .where(
                Document.organisation_id == organisation_id,
                Document.replaced_by_id.is_(None),
                Document.expires_on.is_not(None),
                Document.expires_on <= limit,
            )
            .order_by(Document.expires_on, Document.id)
        )
    )


def open_document(document: Document) -> BinaryIO:
    """The stored bytes of the document, to read (StoredFileMissing if they are gone)."""
    return storage.get_storage().open(document.storage_key)


def verify_checksum(document: Document) -> bool:
    """Whether the stored bytes still have the checksum recorded when they were uploaded."""
    return storage.has_checksum(document.storage_key, document.sha256)


# --- what an application needs ---------------------------------------------------------------


def required_kinds(
    answers: Mapping[str, Any], lot_numbers: Iterable[int], context: Mapping[str, Any]
) -> list[DocumentKind]:
    """The evidence an application for these lots needs, in the order the page lists it.

    - an insurance certificate for each cover a chosen lot sets a minimum for, except
      employer's liability for an organisation that has no employees (the questionnaire does
      not ask it about that cover either);
    - the latest annual accounts, unless the organisation said it is too new to have them;
    - the data protection, health and safety and equality policies, unless the organisation
      said it does not have that policy. A modern slavery statement or policy may be uploaded,
      but the questionnaire's own modern slavery answers are the evidence asked for.
    """
    required = _covers_asked_for(lot_numbers)
    if not (context.get("employees") or 0) > 0 and DocumentKind.EMPLOYERS_LIABILITY in required:
        required.remove(DocumentKind.EMPLOYERS_LIABILITY)
    if answers.get(ACCOUNTS_QUESTION_ID) != ACCOUNTS_TOO_NEW_ANSWER:
        required.append(DocumentKind.ACCOUNTS)
    measures = answers.get(DATA_PROTECTION_MEASURES_QUESTION_ID)
    if measures is None or DATA_PROTECTION_POLICY_MEASURE in measures:
        required.append(DocumentKind.DATA_PROTECTION)
    if answers.get(HEALTH_AND_SAFETY_QUESTION_ID) != "no":
        required.append(DocumentKind.HEALTH_AND_SAFETY)
    if answers.get(EQUALITY_QUESTION_ID) != "no":
        required.append(DocumentKind.EQUALITY)
    return required


def _covers_asked_for(lot_numbers: Iterable[int]) -> list[DocumentKind]:
    dps = current_dps()
    numbers = set(lot_numbers)
    lots: list[Lot] = [lot for lot in dps.lots if lot.number in numbers] if dps else []
    return [
        kind
        for kind, minimum in LOT_MINIMUM_COVER.items()
        if any(getattr(lot, minimum) > 0 for lot in lots)
    ]


def document_gaps(
    organisation_id: int,
    answers: Mapping[str, Any],
    lot_numbers: Iterable[int],
    context: Mapping[str, Any],
    on: date | None = None,
) -> list[str]:
    """What is missing or out of date, one sentence each, for the check-your-answers page."""
    on = on or today()
    held: dict[DocumentKind, list[Document]] = {}
    for document in current_documents(organisation_id):
        held.setdefault(document.kind, []).append(document)
    gaps = []
    for kind in required_kinds(answers, lot_numbers, context):
        documents = held.get(kind, [])
        if not documents:
            gaps.append(f"Upload your {_lower_first(kind.label)}")
        elif kind.is_insurance and all(expiry_status(d, on) == "expired" for d in documents):
            latest = max(d.expires_on for d in documents if d.expires_on)
            gaps.append(
                f"Your {_lower_first(kind.label)} expired on {format_date(latest)}: "
                "upload the current one"
            )
    return gaps


def documents_status(
    organisation_id: int,
    answers: Mapping[str, Any],
    lot_numbers: Iterable[int],
    context: Mapping[str, Any],
) -> SectionStatus:
    lot_numbers = list(lot_numbers)
    if not document_gaps(organisation_id, answers, lot_numbers, context):
        return SectionStatus.COMPLETED
    if not current_documents(organisation_id):
        return SectionStatus.NOT_STARTED
    return SectionStatus.IN_PROGRESS


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


# --- uploading ---------------------------------------------------------------------------------


def upload(
    organisation_id: int,
    kind: DocumentKind | str,
    title: str | None,
    file_storage: UploadedFile | None,
    expires_on: date | None,
    actor: User | None,
    replaces_id: int | None = None,
    *,
    commit: bool = True,
) -> Document:
    """Check, scan and store a file as one of the organisation's documents.

    With ``commit=False`` the document is only flushed: it is kept (file and row) only if the
    caller's transaction commits, as for a file sent with a clarification answer.

    With ``replaces_id`` the new document is a new version of that one (and takes its kind);
    the old version is kept, marked as replaced. DocumentNotFound if ``replaces_id`` is not one
    of the organisation's documents; DocumentRefused, with the reason, for anything else wrong.
    """
    try:
        replaced = _replaceable(replaces_id, organisation_id) if replaces_id is not None else None
        kind = replaced.kind if replaced else document_checks.kind_of(kind)
        title = document_checks.title_for(title, kind)
        expires_on = document_checks.expiry_for(kind, expires_on, today())
        checked, data = document_checks.read_and_check(file_storage)
        scan_result = document_checks.scan(data, checked.filename)
    except (DocumentRefused, DocumentNotFound):
        db.session.rollback()  # let go of the lock on the replaced document
        raise

    key = stored_files.store(data)
    document = Document(
        organisation_id=organisation_id,
        kind=kind,
        title=title,
        filename=checked.filename,
        content_type=checked.file_type.content_type,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_key=key,
        expires_on=expires_on,
        scan_result=scan_result,
        uploaded_at=utcnow(),
        uploaded_by_id=actor.id if actor else None,
    )
    db.session.add(document)
    db.session.flush()
    audit.record(
        "document.uploaded",
        document,
        actor=actor,
        after={**_summary(document), "replaces_id": replaced.id if replaced else None},
    )
    if replaced is not None:
        replaced.replaced_by_id = document.id
        replaced.replaced_at = document.uploaded_at
        audit.record(
            "document.replaced",
            replaced,
            actor=actor,
            before={"replaced_by_id": None},
            after={"replaced_by_id": document.id},
        )
    if commit:
        db.session.commit()
    return document


def _replaceable(document_id: int, organisation_id: int) -> Document:
    # Locked, so that two people replacing the same document at once cannot both succeed.
    replaced = lock_row(Document, document_id)
    if replaced is None or replaced.organisation_id != organisation_id:
        raise DocumentNotFound(document_id)
    if not replaced.is_current:
        raise DocumentRefused(
            "A newer version of this document has already been uploaded. "
            "Replace the newest version instead"
        )
    return replaced


def _summary(document: Document) -> dict[str, Any]:
    return {
        "kind": document.kind.value,
        "title": document.title,
        "filename": document.filename,
        "content_type": document.content_type,
        "size_bytes": document.size_bytes,
        "sha256": document.sha256,
        "expires_on": document.expires_on.isoformat() if document.expires_on else None,
        "scan_result": document.scan_result,
    }
