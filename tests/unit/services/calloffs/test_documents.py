"""A call-off's documents: the supplier documents' checks and storage, the SHA-256 kept, taken
off only while a draft, audited, and read only by its organisation or invited suppliers."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from flask import Flask

from dps.extensions import db
from dps.models import AuditEvent, CallOffDocument
from dps.rules.refusals import NotAllowed
from dps.services.calloffs import documents, drafting, publishing
from dps.services.calloffs.documents import CallOffDocumentNotFound, DocumentRefused
from dps.services.calloffs.drafting import CallOffLocked
from tests.fixtures import sample_files
from tests.fixtures.calloffs_world import SENT_AT, CallOffWorld, admit_suppliers, ready_draft
from tests.fixtures.documents_world import uploaded


def scanner_finding_a_virus(data: bytes, filename: str) -> str:
    return "infected" if b"PRETEND-VIRUS" in data else "clean"


def test_an_upload_is_stored_with_its_checksum_and_audited(app: Flask, cw: CallOffWorld) -> None:
    call_off = drafting.start_draft(cw.council.id, cw.world.lots[1].id, actor=cw.buyer)
    document = documents.upload(
        call_off, "  Specification   v2 ", uploaded("spec.pdf", sample_files.PDF), actor=cw.buyer
    )
    assert document.title == "Specification v2"
    assert document.filename == "spec.pdf"
    assert document.content_type == "application/pdf"
    assert document.size_bytes == len(sample_files.PDF)
    assert document.sha256 == hashlib.sha256(sample_files.PDF).hexdigest()
    stored = Path(app.config["DOCUMENT_STORAGE_PATH"]) / document.storage_key
    assert stored.read_bytes() == sample_files.PDF
    assert documents.verify_checksum(document)
    assert [d.id for d in documents.current(call_off)] == [document.id]
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "call_off_document.uploaded")
    ).one()
    assert event.after["sha256"] == document.sha256
    assert event.actor_user_id == cw.buyer.id


@pytest.mark.parametrize(
    ("title", "filename", "data", "field", "message"),
    [
        ("", "spec.pdf", sample_files.PDF, "title", "Enter a title for the document"),
        ("x" * 201, "spec.pdf", sample_files.PDF, "title", "200 characters or fewer"),
        ("Spec", None, b"", "file", "Select a file"),
        ("Spec", "spec.pdf", b"MZ not a pdf at all", "file", "must be a PDF"),
        ("Spec", "spec.pdf", b"", "file", "is empty"),
    ],
)
def test_a_bad_upload_is_refused_with_the_field_and_nothing_kept(
    cw: CallOffWorld, title: str, filename: str | None, data: bytes, field: str, message: str
) -> None:
    call_off = drafting.start_draft(cw.council.id, cw.world.lots[1].id, actor=cw.buyer)
    with pytest.raises(DocumentRefused) as refused:
        documents.upload(call_off, title, uploaded(filename, data), actor=cw.buyer)
    assert refused.value.field == field
    assert message in refused.value.message
    assert db.session.scalars(db.select(CallOffDocument)).all() == []


def test_an_infected_file_is_refused(app: Flask, cw: CallOffWorld) -> None:
    app.config["DOCUMENT_SCANNER"] = f"{__name__}:scanner_finding_a_virus"
    call_off = drafting.start_draft(cw.council.id, cw.world.lots[1].id, actor=cw.buyer)
    with pytest.raises(DocumentRefused, match="contains a virus"):
        documents.upload(
            call_off,
            "Spec",
            uploaded("spec.pdf", sample_files.PDF + b"% PRETEND-VIRUS\n"),
            actor=cw.buyer,
        )
    assert db.session.scalars(db.select(CallOffDocument)).all() == []


def test_removing_takes_it_off_keeps_the_file_and_is_audited(cw: CallOffWorld) -> None:
    call_off = drafting.start_draft(cw.council.id, cw.world.lots[1].id, actor=cw.buyer)
    document = documents.upload(
        call_off, "Spec", uploaded("a.pdf", sample_files.PDF), actor=cw.buyer
    )
    documents.remove(call_off, document.id, actor=cw.buyer)
    assert documents.current(call_off) == []
    assert document.removed_at is not None
    assert documents.verify_checksum(document)
    assert db.session.scalars(
        db.select(AuditEvent.action).where(AuditEvent.action == "call_off_document.removed")
    ).all() == ["call_off_document.removed"]
    with pytest.raises(CallOffDocumentNotFound):
        documents.remove(call_off, document.id, actor=cw.buyer)


def test_viewers_cannot_add_or_remove_and_published_documents_are_fixed(cw: CallOffWorld) -> None:
    admit_suppliers(cw, 1, 2)
    call_off = ready_draft(cw)
    document = documents.upload(
        call_off, "Spec", uploaded("a.pdf", sample_files.PDF), actor=cw.buyer
    )
    with pytest.raises(NotAllowed):
        documents.upload(call_off, "Spec", uploaded("b.pdf", sample_files.PDF), actor=cw.viewer)
    with pytest.raises(NotAllowed):
        documents.remove(call_off, document.id, actor=cw.viewer)
    publishing.publish(call_off, cw.buyer, SENT_AT)
    with pytest.raises(CallOffLocked):
        documents.upload(call_off, "Late", uploaded("c.pdf", sample_files.PDF), actor=cw.buyer)
    with pytest.raises(CallOffLocked):
        documents.remove(call_off, document.id, actor=cw.buyer)
    assert [d.id for d in documents.current(call_off)] == [document.id]


def test_another_call_offs_document_is_not_found(cw: CallOffWorld) -> None:
    first = drafting.start_draft(cw.council.id, cw.world.lots[1].id, actor=cw.buyer)
    second = drafting.start_draft(cw.council.id, cw.world.lots[1].id, actor=cw.buyer)
    document = documents.upload(first, "Spec", uploaded("a.pdf", sample_files.PDF), actor=cw.buyer)
    assert documents.get_document(first, document.id).id == document.id
    with pytest.raises(CallOffDocumentNotFound):
        documents.get_document(second, document.id)
    with pytest.raises(CallOffDocumentNotFound):
        documents.remove(second, document.id, actor=cw.buyer)


def test_only_invited_suppliers_read_a_published_call_offs_documents(cw: CallOffWorld) -> None:
    invited = admit_suppliers(cw, 1, 1)[0]
    elsewhere = admit_suppliers(cw, 2, 1, prefix="lot-two")[0]
    call_off = ready_draft(cw)
    kept = documents.upload(call_off, "Spec", uploaded("a.pdf", sample_files.PDF), actor=cw.buyer)
    gone = documents.upload(call_off, "Old", uploaded("b.pdf", sample_files.PDF), actor=cw.buyer)
    documents.remove(call_off, gone.id, actor=cw.buyer)
    with pytest.raises(CallOffDocumentNotFound):  # not before it is published
        documents.get_for_invited_supplier(call_off.id, kept.id, invited)
    publishing.publish(call_off, cw.buyer, SENT_AT)
    found = documents.get_for_invited_supplier(call_off.id, kept.id, invited)
    assert found.id == kept.id
    for document_id, supplier in ((kept.id, elsewhere), (gone.id, invited)):
        with pytest.raises(CallOffDocumentNotFound):
            documents.get_for_invited_supplier(call_off.id, document_id, supplier)
