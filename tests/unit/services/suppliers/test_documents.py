"""Documents: stored with a checksum, replaced without losing the old version, the evidence an
application needs, and expiry (what an upload must pass is test_document_checks.py)."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask

from dps.extensions import db
from dps.models import AuditEvent
from dps.outside import storage
from dps.rules.enums import DocumentKind, SectionStatus
from dps.services.suppliers import documents
from dps.services.suppliers.documents import DocumentNotFound, DocumentRefused
from tests.fixtures import sample_files
from tests.fixtures.documents_world import World, build_world, upload_pdf, uploaded

K = DocumentKind


@pytest.fixture
def world(app: Flask) -> World:
    return build_world()


def test_an_upload_is_stored_under_a_generated_key_with_its_checksum(
    app: Flask, world: World
) -> None:
    document = upload_pdf(world)

    assert document.sha256 == hashlib.sha256(sample_files.PDF).hexdigest()
    assert document.size_bytes == len(sample_files.PDF)
    assert document.content_type == "application/pdf"
    assert document.filename == "certificate.pdf"
    assert document.title == "Public liability insurance certificate"
    assert document.scan_result == "not_scanned"
    # The key is ours, not the supplier's file name, and the bytes are there under it.
    assert "certificate" not in document.storage_key
    stored = Path(app.config["DOCUMENT_STORAGE_PATH"]) / document.storage_key
    assert stored.read_bytes() == sample_files.PDF
    assert documents.verify_checksum(document)
    [event] = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action.like("document.%")))
    assert event.action == "document.uploaded"
    assert event.actor_user_id == world.owner.id
    assert event.after is not None and event.after["sha256"] == document.sha256


def test_a_changed_or_missing_file_fails_the_checksum(app: Flask, world: World) -> None:
    document = upload_pdf(world)
    stored = Path(app.config["DOCUMENT_STORAGE_PATH"]) / document.storage_key
    stored.write_bytes(sample_files.PDF + b"% tampered\n")
    assert not documents.verify_checksum(document)
    stored.unlink()
    assert not documents.verify_checksum(document)


def test_storage_never_overwrites_and_refuses_keys_it_did_not_make(tmp_path: Path) -> None:
    store = storage.LocalFolderStorage(tmp_path)
    key = storage.new_key()
    store.put(key, b"first")
    with pytest.raises(FileExistsError):
        store.put(key, b"second")
    with store.open(key) as stored:
        assert stored.read() == b"first"
    assert store.exists(key)
    assert not store.exists(storage.new_key())
    with pytest.raises(ValueError, match="not a document storage key"):
        store.put("../../etc/passwd", b"x")
    with pytest.raises(storage.StoredFileMissing):
        store.open(storage.new_key())
    # Nothing half-written is left behind.
    assert [p.name for p in tmp_path.rglob("*") if p.name.startswith(".upload-")] == []


def test_replacing_keeps_every_version_and_shows_the_history(app: Flask, world: World) -> None:
    first = upload_pdf(world)
    second = upload_pdf(world, data=sample_files.PDF + b"% renewed\n", replaces_id=first.id)
    third = upload_pdf(world, data=sample_files.PDF + b"% renewed again\n", replaces_id=second.id)

    assert first.replaced_by_id == second.id and first.replaced_at is not None
    assert second.replaced_by_id == third.id
    assert third.is_current
    assert [d.id for d in documents.current_documents(world.supplier.id)] == [third.id]
    # From any version, the whole history, newest first; each old file is still stored.
    for version in (first, second, third):
        assert [d.id for d in documents.versions(version)] == [third.id, second.id, first.id]
    assert all(documents.verify_checksum(d) for d in (first, second, third))
    actions = [
        (e.action, e.object_id)
        for e in db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id))
        if e.action.startswith("document.")
    ]
    assert ("document.replaced", str(first.id)) in actions
    assert ("document.replaced", str(second.id)) in actions


def test_a_replacement_takes_the_kind_of_the_document_it_replaces(app: Flask, world: World) -> None:
    first = upload_pdf(world, K.EQUALITY)
    second = upload_pdf(world, K.ACCOUNTS, replaces_id=first.id)
    assert second.kind == K.EQUALITY


def test_an_old_version_cannot_be_replaced_again(app: Flask, world: World) -> None:
    first = upload_pdf(world)
    upload_pdf(world, replaces_id=first.id)
    with pytest.raises(DocumentRefused, match="newer version"):
        upload_pdf(world, replaces_id=first.id)


def test_another_organisations_document_cannot_be_replaced_or_read(
    app: Flask, world: World
) -> None:
    rivals = documents.upload(
        world.rival.id, K.EQUALITY, "", uploaded("policy.pdf", sample_files.PDF), None, None
    )
    with pytest.raises(DocumentNotFound):
        upload_pdf(world, replaces_id=rivals.id)
    assert documents.get_document(rivals.id, world.supplier.id) is None
    assert documents.get_document(rivals.id, world.rival.id) is rivals
    assert rivals.is_current  # untouched


# --- what an application needs ---------------------------------------------------------------

POLICIES = [K.DATA_PROTECTION, K.HEALTH_AND_SAFETY, K.EQUALITY]


def test_employers_liability_is_asked_for_only_with_employees(app: Flask, world: World) -> None:
    with_staff = documents.required_kinds({}, [1], {"employees": 12})
    assert with_staff == [
        K.EMPLOYERS_LIABILITY,
        K.PUBLIC_LIABILITY,
        K.PROFESSIONAL_INDEMNITY,
        K.ACCOUNTS,
        *POLICIES,
    ]
    for nobody in (0, None):
        assert K.EMPLOYERS_LIABILITY not in documents.required_kinds({}, [1], {"employees": nobody})


def test_certificates_follow_the_cover_the_chosen_lots_ask_for(app: Flask, world: World) -> None:
    staff = {"employees": 3}
    # Lot 2 sets no minimum professional indemnity; Lot 1 does.
    assert K.PROFESSIONAL_INDEMNITY not in documents.required_kinds({}, [2], staff)
    assert K.PROFESSIONAL_INDEMNITY in documents.required_kinds({}, [1, 2], staff)


def test_accounts_are_not_asked_of_an_organisation_too_new_to_have_them(
    app: Flask, world: World
) -> None:
    assert K.ACCOUNTS in documents.required_kinds({"accounts_available": "yes"}, [1], {})
    assert K.ACCOUNTS not in documents.required_kinds({"accounts_available": "too_new"}, [1], {})


def test_a_policy_the_organisation_says_it_does_not_have_is_not_asked_for(
    app: Flask, world: World
) -> None:
    answers = {"hs_policy": "no", "eq_policy": "yes", "dp_measures": ["training", "dpo"]}
    required = documents.required_kinds(answers, [1], {})
    assert K.HEALTH_AND_SAFETY not in required
    assert K.DATA_PROTECTION not in required
    assert K.EQUALITY in required
    assert K.DATA_PROTECTION in documents.required_kinds({"dp_measures": ["policy"]}, [1], {})


def test_gaps_and_status_follow_the_uploads(app: Flask, world: World) -> None:
    answers = {"accounts_available": "too_new", "hs_policy": "no", "dp_measures": ["none"]}
    context = {"employees": 0}
    args = (world.supplier.id, answers, [2], context)
    assert documents.documents_status(*args) == SectionStatus.NOT_STARTED
    assert documents.document_gaps(*args) == [
        "Upload your public liability insurance certificate",
        "Upload your equality, diversity and inclusion policy",
    ]

    upload_pdf(world, K.PUBLIC_LIABILITY)
    assert documents.documents_status(*args) == SectionStatus.IN_PROGRESS
    upload_pdf(world, K.EQUALITY)
    assert documents.document_gaps(*args) == []
    assert documents.documents_status(*args) == SectionStatus.COMPLETED
    # Another organisation's uploads count for nothing here.
    assert documents.documents_status(world.rival.id, answers, [2], context) == (
        SectionStatus.NOT_STARTED
    )


def test_an_expired_certificate_is_a_gap_until_it_is_replaced(app: Flask, world: World) -> None:
    answers: dict[str, object] = {
        "accounts_available": "too_new",
        "hs_policy": "no",
        "eq_policy": "no",
        "dp_measures": [],
    }
    certificate = upload_pdf(world, K.PUBLIC_LIABILITY, expires_on=date(2027, 3, 31))
    args = (world.supplier.id, answers, [2], {"employees": 0})

    assert documents.document_gaps(*args, on=date(2027, 3, 31)) == []
    assert documents.document_gaps(*args, on=date(2027, 4, 1)) == [
        "Your public liability insurance certificate expired on 31 March 2027: "
        "upload the current one"
    ]
    renewed = upload_pdf(world, replaces_id=certificate.id, expires_on=date(2028, 3, 31))
    assert renewed.kind == K.PUBLIC_LIABILITY
    assert documents.document_gaps(*args, on=date(2027, 4, 1)) == []


def test_expiry_status_and_documents_expiring_within_30_days(app: Flask, world: World) -> None:
    on = documents.today()
    soon = upload_pdf(world, K.PUBLIC_LIABILITY, expires_on=on + timedelta(days=30))
    later = upload_pdf(world, K.PROFESSIONAL_INDEMNITY, expires_on=on + timedelta(days=31))
    lapsed = upload_pdf(world, K.EMPLOYERS_LIABILITY, expires_on=on + timedelta(days=1))
    policy = upload_pdf(world, K.EQUALITY)

    assert documents.expiry_status(soon, on) == "expires_soon"
    assert documents.expiry_status(later, on) is None
    assert documents.expiry_status(policy, on) is None
    assert documents.expiry_status(lapsed, on + timedelta(days=2)) == "expired"
    assert documents.expiring_within(world.supplier.id, 30, on=on) == [lapsed, soon]
    # Expired ones are listed too, soonest first: they need replacing most.
    assert documents.expiring_within(world.supplier.id, 30, on=on + timedelta(days=2)) == [
        lapsed,
        soon,
        later,
    ]
    # A replaced certificate is no longer expiring: its successor is what counts.
    upload_pdf(world, replaces_id=soon.id, expires_on=on + timedelta(days=365))
    assert documents.expiring_within(world.supplier.id, 30, on=on) == [lapsed]
    assert documents.expiring_within(world.rival.id, 30, on=on) == []
