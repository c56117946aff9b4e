"""A tender's documents: the upload checks and storage with the SHA-256 kept, removed before the
deadline, nothing at or after it (to the second) nor for a supplier not invited, listed in the
snapshot when sent, and read by the buyer only once opened and only as sent."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask

from dps.extensions import db
from dps.models import AuditEvent, Tender, TenderDocument
from dps.rules.enums import TenderStatus
from dps.services.calloffs import tender_documents, tendering
from dps.services.calloffs.supplier_view import InvitationNotFound
from dps.services.calloffs.tender_documents import DocumentRefused, TenderDocumentNotFound
from dps.services.calloffs.tendering import TenderClosed, TenderRefused
from tests.fixtures import sample_files
from tests.fixtures.calloffs_world import SENT_AT, CallOffWorld
from tests.fixtures.documents_world import uploaded
from tests.fixtures.tenders_world import BEFORE_DEADLINE, ONE_SECOND, TenderWorld, published

AT = SENT_AT + timedelta(days=1)


@pytest.fixture
def tw(cw: CallOffWorld) -> TenderWorld:
    return published(cw)


def scanner_finding_a_virus(data: bytes, filename: str) -> str:
    return "infected" if b"PRETEND-VIRUS" in data else "clean"


def upload(
    tw: TenderWorld,
    n: int = 0,
    *,
    title: str = "Method statement",
    data: bytes = sample_files.PDF,
    filename: str = "method.pdf",
    at: datetime = AT,
) -> TenderDocument:
    return tender_documents.upload(
        tw.call_off.id,
        tw.suppliers[n],
        title,
        uploaded(filename, data),
        actor=tw.people[n],
        at=at,
    )


def fill_and_send(tw: TenderWorld, n: int = 0, at: datetime = AT) -> Tender:
    q1, q2 = tw.call_off.questions
    tendering.save_draft(
        tw.call_off.id,
        tw.suppliers[n],
        {q1.id: "Workshops.", q2.id: "Local hires."},
        {"total": "1000"},
        actor=tw.people[n],
        at=at,
    )
    return tendering.submit(tw.call_off.id, tw.suppliers[n], actor=tw.people[n], at=at)


def test_an_upload_starts_a_draft_and_is_stored_with_its_checksum_and_audited(
    app: Flask, tw: TenderWorld
) -> None:
    document = upload(tw, title="  Method   statement ")
    tender = db.session.scalars(db.select(Tender)).one()
    assert tender.status == TenderStatus.DRAFT
    assert tender.organisation_id == tw.suppliers[0]
    assert document.tender_id == tender.id
    assert document.title == "Method statement"
    assert document.content_type == "application/pdf"
    assert document.sha256 == hashlib.sha256(sample_files.PDF).hexdigest()
    stored = Path(app.config["DOCUMENT_STORAGE_PATH"]) / document.storage_key
    assert stored.read_bytes() == sample_files.PDF
    assert [d.id for d in tender_documents.current(tender)] == [document.id]
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "tender_document.uploaded")
    ).one()
    assert event.after["sha256"] == document.sha256
    assert event.actor_user_id == tw.people[0].id


def test_without_a_title_the_file_name_is_used(tw: TenderWorld) -> None:
    assert upload(tw, title="").title == "method"


@pytest.mark.parametrize(
    ("title", "filename", "data", "field", "message"),
    [
        ("x" * 201, "a.pdf", sample_files.PDF, "title", "200 characters or fewer"),
        ("Spec", None, b"", "file", "Select a file"),
        ("Spec", "a.pdf", b"MZ not a pdf at all", "file", "must be a PDF"),
    ],
)
def test_a_bad_upload_is_refused_with_the_field_and_nothing_kept(
    tw: TenderWorld, title: str, filename: str | None, data: bytes, field: str, message: str
) -> None:
    with pytest.raises(DocumentRefused) as refused:
        tender_documents.upload(
            tw.call_off.id,
            tw.suppliers[0],
            title,
            uploaded(filename, data),
            actor=tw.people[0],
            at=AT,
        )
    assert refused.value.field == field
    assert message in refused.value.message
    assert db.session.scalars(db.select(TenderDocument)).all() == []


def test_an_infected_file_is_refused(app: Flask, tw: TenderWorld) -> None:
    app.config["DOCUMENT_SCANNER"] = f"{__name__}:scanner_finding_a_virus"
    with pytest.raises(DocumentRefused, match="contains a virus"):
        upload(tw, data=sample_files.PDF + b"% PRETEND-VIRUS\n")
    assert db.session.scalars(db.select(TenderDocument)).all() == []


def test_a_supplier_not_invited_can_neither_upload_nor_remove(tw: TenderWorld) -> None:
    document = upload(tw)
    outsider = tw.people[0]  # the person does not matter: the organisation was not invited
    with pytest.raises(InvitationNotFound):
        tender_documents.upload(
            tw.call_off.id,
            tw.outsider,
            "X",
            uploaded("a.pdf", sample_files.PDF),
            actor=outsider,
            at=AT,
        )
    with pytest.raises(InvitationNotFound):
        tender_documents.remove(tw.call_off.id, tw.outsider, document.id, actor=outsider, at=AT)
    with pytest.raises(InvitationNotFound):
        tender_documents.for_supplier(tw.call_off.id, tw.outsider, document.id)


def test_another_suppliers_document_is_not_found(tw: TenderWorld) -> None:
    document = upload(tw, 0)
    with pytest.raises(TenderDocumentNotFound):
        tender_documents.remove(
            tw.call_off.id, tw.suppliers[1], document.id, actor=tw.people[1], at=AT
        )
    with pytest.raises(TenderDocumentNotFound):
        tender_documents.for_supplier(tw.call_off.id, tw.suppliers[1], document.id)
    assert db.session.get(TenderDocument, document.id).removed_at is None  # type: ignore[union-attr]


def test_removing_keeps_the_file_and_is_audited(tw: TenderWorld) -> None:
    document = upload(tw)
    tender_documents.remove(tw.call_off.id, tw.suppliers[0], document.id, actor=tw.people[0], at=AT)
    db.session.expire_all()
    assert db.session.get(TenderDocument, document.id).removed_at == AT  # type: ignore[union-attr]
    assert tender_documents.current(db.session.scalars(db.select(Tender)).one()) == []
    assert tender_documents.for_supplier(tw.call_off.id, tw.suppliers[0], document.id)
    assert db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "tender_document.removed")
    ).one()
    with pytest.raises(TenderDocumentNotFound):  # not twice
        tender_documents.remove(
            tw.call_off.id, tw.suppliers[0], document.id, actor=tw.people[0], at=AT
        )


def test_upload_and_remove_the_second_before_the_deadline_but_not_at_it(
    tw: TenderWorld,
) -> None:
    document = upload(tw, at=BEFORE_DEADLINE)
    with pytest.raises(TenderClosed):
        upload(tw, at=tw.deadline)
    with pytest.raises(TenderClosed):
        upload(tw, at=tw.deadline + ONE_SECOND)
    with pytest.raises(TenderClosed):
        tender_documents.remove(
            tw.call_off.id, tw.suppliers[0], document.id, actor=tw.people[0], at=tw.deadline
        )
    assert [d.id for d in db.session.scalars(db.select(TenderDocument))] == [document.id]
    tender_documents.remove(
        tw.call_off.id, tw.suppliers[0], document.id, actor=tw.people[0], at=BEFORE_DEADLINE
    )


def test_a_supplier_that_declined_cannot_upload(tw: TenderWorld) -> None:
    tendering.decline(tw.call_off.id, tw.suppliers[0], "", actor=tw.people[0], at=AT)
    with pytest.raises(TenderRefused):
        upload(tw)
    assert db.session.scalars(db.select(TenderDocument)).all() == []


def test_the_snapshot_lists_the_documents_sent_with_their_checksums(tw: TenderWorld) -> None:
    kept = upload(tw, title="Kept")
    dropped = upload(tw, title="Dropped", data=sample_files.png(), filename="logo.png")
    tender_documents.remove(tw.call_off.id, tw.suppliers[0], dropped.id, actor=tw.people[0], at=AT)
    tender = fill_and_send(tw)
    assert tender.snapshot is not None
    assert tender.snapshot["documents"] == [
        {
            "id": kept.id,
            "title": "Kept",
            "filename": "method.pdf",
            "size_bytes": len(sample_files.PDF),
            "sha256": hashlib.sha256(sample_files.PDF).hexdigest(),
        }
    ]
    assert tender.snapshot_sha256 == tendering.checksum(tender.snapshot)


def test_a_buyer_reads_a_document_only_once_opened_and_only_as_sent(tw: TenderWorld) -> None:
    sent = upload(tw, title="Sent")
    tender = fill_and_send(tw)
    later = upload(tw, title="Added after sending", at=AT + ONE_SECOND)
    buyer = tw.cw.buyer
    with pytest.raises(TenderDocumentNotFound):  # sealed
        tender_documents.for_buyer(tw.call_off, tender.id, sent.id, BEFORE_DEADLINE, actor=buyer)
    found = tender_documents.for_buyer(tw.call_off, tender.id, sent.id, tw.deadline, actor=buyer)
    assert found.id == sent.id
    with tender_documents.open_document(found) as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == found.sha256
    with pytest.raises(TenderDocumentNotFound):  # never sent
        tender_documents.for_buyer(tw.call_off, tender.id, later.id, tw.deadline, actor=buyer)
    with pytest.raises(TenderDocumentNotFound):  # not this tender's
        tender_documents.for_buyer(tw.call_off, tender.id + 99, sent.id, tw.deadline, actor=buyer)


def test_a_draft_never_sent_is_never_read_by_the_buyer(tw: TenderWorld) -> None:
    document = upload(tw)
    tender = db.session.scalars(db.select(Tender)).one()
    with pytest.raises(TenderDocumentNotFound):
        tender_documents.for_buyer(
            tw.call_off, tender.id, document.id, tw.deadline, actor=tw.cw.buyer
        )
