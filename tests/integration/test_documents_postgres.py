"""Documents on PostgreSQL, as the application's own (non-superuser) role: upload, replace,
history, download, the evidence an application needs, and one version replaced only once."""

from __future__ import annotations

import hashlib
import io
import threading
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dps.extensions import db
from dps.models import AuditEvent, Document, User
from dps.rules.enums import DocumentKind, SectionStatus
from dps.services.suppliers import documents
from tests.fixtures import sample_files
from tests.fixtures.documents_world import World, build_world, uploaded
from tests.fixtures.helpers import sign_in

pytestmark = pytest.mark.postgres

NEXT_YEAR = documents.today() + timedelta(days=365)


@pytest.fixture
def world(pg_app: Flask) -> World:
    return build_world()


def upload_form(filename: str, data: bytes, **fields: Any) -> dict[str, Any]:
    return {"file": (io.BytesIO(data), filename), **fields}


def test_upload_replace_and_download_through_the_pages(
    pg_client: FlaskClient, world: World
) -> None:
    sign_in(pg_client, world.owner)
    expiry = [str(NEXT_YEAR.day), str(NEXT_YEAR.month), str(NEXT_YEAR.year)]
    first = pg_client.post(
        "/supplier/documents/upload?kind=employers_liability",
        data=upload_form("cover.docx", sample_files.docx(), expires_on=expiry),
        content_type="multipart/form-data",
    )
    assert first.status_code == 302
    [original] = documents.current_documents(world.supplier.id)
    assert original.content_type.endswith("wordprocessingml.document")

    replaced = pg_client.post(
        "/supplier/documents/upload",
        data=upload_form(
            "cover.pdf", sample_files.PDF, expires_on=expiry, replaces=str(original.id)
        ),
        content_type="multipart/form-data",
    )
    assert replaced.status_code == 302
    [current] = documents.current_documents(world.supplier.id)
    assert [d.id for d in documents.versions(original)] == [current.id, original.id]

    old = pg_client.get(f"/supplier/documents/{original.id}/download")
    assert hashlib.sha256(old.data).hexdigest() == original.sha256
    assert old.headers["Content-Disposition"] == "attachment; filename=cover.docx"
    assert documents.verify_checksum(original) and documents.verify_checksum(current)
    actions = db.session.scalars(
        db.select(AuditEvent.action).where(AuditEvent.action.like("document.%"))
    ).all()
    assert sorted(actions) == ["document.replaced", "document.uploaded", "document.uploaded"]


def test_another_suppliers_documents_are_not_found_on_postgres(
    pg_client: FlaskClient, world: World
) -> None:
    theirs = documents.upload(
        world.rival.id,
        DocumentKind.ACCOUNTS,
        "",
        uploaded("accounts.xlsx", sample_files.xlsx()),
        None,
        world.rival_owner,
    )
    sign_in(pg_client, world.owner)
    assert pg_client.get(f"/supplier/documents/{theirs.id}").status_code == 404
    assert pg_client.get(f"/supplier/documents/{theirs.id}/download").status_code == 404
    posted = pg_client.post(
        "/supplier/documents/upload?kind=accounts",
        data=upload_form("accounts.pdf", sample_files.PDF, replaces=theirs.id),
        content_type="multipart/form-data",
    )
    assert posted.status_code == 404
    db.session.refresh(theirs)
    assert theirs.is_current


def test_the_evidence_an_application_needs_on_postgres(pg_app: Flask, world: World) -> None:
    answers = {"accounts_available": "yes", "hs_policy": "no", "eq_policy": "no"}
    answers_with_measures: dict[str, Any] = {**answers, "dp_measures": ["policy"]}
    args = (world.supplier.id, answers_with_measures, [1, 2], {"employees": 4})
    assert documents.required_kinds(*args[1:]) == [
        DocumentKind.EMPLOYERS_LIABILITY,
        DocumentKind.PUBLIC_LIABILITY,
        DocumentKind.PROFESSIONAL_INDEMNITY,
        DocumentKind.ACCOUNTS,
        DocumentKind.DATA_PROTECTION,
    ]
    for kind in documents.required_kinds(*args[1:]):
        documents.upload(
            world.supplier.id,
            kind,
            "",
            uploaded("evidence.pdf", sample_files.PDF),
            NEXT_YEAR if kind.is_insurance else None,
            world.owner,
        )
    assert documents.documents_status(*args) == SectionStatus.COMPLETED
    assert documents.expiring_within(world.supplier.id, 30) == []
    lapse_day = NEXT_YEAR + timedelta(days=1)
    assert len(documents.document_gaps(*args, on=lapse_day)) == 3  # every certificate lapsed


def test_two_people_replacing_the_same_version_at_once_make_one_new_version(
    pg_app: Flask, world: World
) -> None:
    original = documents.upload(
        world.supplier.id,
        DocumentKind.EQUALITY,
        "",
        uploaded("policy.pdf", sample_files.PDF),
        None,
        world.owner,
    )
    original_id, organisation_id, owner_id = original.id, world.supplier.id, world.owner.id
    db.session.commit()
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def replace(n: int) -> None:
        with pg_app.app_context():
            actor = db.session.get(User, owner_id)
            start.wait()
            try:
                documents.upload(
                    organisation_id,
                    DocumentKind.EQUALITY,
                    f"Version {n}",
                    uploaded("policy.pdf", sample_files.PDF + f"% {n}\n".encode()),
                    None,
                    actor,
                    replaces_id=original_id,
                )
                outcomes.append("replaced")
            except documents.DocumentRefused:
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=replace, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["refused", "replaced"]
    db.session.expire_all()
    successors = db.session.scalars(
        db.select(Document).where(Document.replaced_by_id.is_(None))
    ).all()
    assert len(successors) == 1
    assert len(documents.versions(successors[0])) == 2
