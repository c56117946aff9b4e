"""Files stored with their transaction: a commit that fails leaves no file behind it, and an
answer sent again after a failure keeps one copy of its document, not two."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from dps.extensions import db
from dps.models import CallOffDocument, Document, TenderDocument
from dps.models.base import utcnow
from dps.outside import storage
from dps.rules.enums import DocumentKind
from dps.services.calloffs import documents as calloff_documents
from dps.services.calloffs import drafting, tender_documents
from dps.services.common import stored_files
from dps.services.qualification import clarifications
from dps.services.suppliers import documents
from tests.fixtures.calloffs_world import SENT_AT, make_calloff_world
from tests.fixtures.documents_world import build_world, uploaded
from tests.fixtures.reminders_world import make_office, sent_application
from tests.fixtures.sample_files import PDF
from tests.fixtures.tenders_world import published


class DatabaseWentAway(Exception):
    pass


@contextmanager
def commits_failing() -> Iterator[None]:
    """Every commit fails, as it does when the database goes away at the wrong moment."""

    def fail(session: Session) -> None:
        raise DatabaseWentAway("the database went away")

    event.listen(Session, "before_commit", fail)
    try:
        yield
    finally:
        event.remove(Session, "before_commit", fail)


def stored() -> list[Path]:
    root = Path(current_app.config["DOCUMENT_STORAGE_PATH"])
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))


def test_a_file_is_kept_when_its_transaction_commits(app: Flask) -> None:
    key = stored_files.store(b"kept")
    assert stored_files.uncommitted() == [key]
    db.session.commit()
    assert stored_files.uncommitted() == []
    assert storage.get_storage().exists(key)


def test_a_file_is_discarded_when_its_transaction_rolls_back(app: Flask) -> None:
    db.session.execute(db.select(Document)).all()  # a transaction under way
    key = stored_files.store(b"not kept")
    db.session.rollback()
    assert not storage.get_storage().exists(key)
    assert stored_files.uncommitted() == []


def test_a_savepoint_committing_does_not_keep_a_file_the_transaction_drops(app: Flask) -> None:
    db.session.execute(db.select(Document)).all()
    with db.session.begin_nested():
        key = stored_files.store(b"inside a savepoint")
    assert stored_files.uncommitted() == [key]
    db.session.rollback()
    assert not storage.get_storage().exists(key)


def test_an_upload_whose_commit_fails_leaves_no_file_and_no_row(app: Flask) -> None:
    world = build_world()
    before = stored()
    with commits_failing(), pytest.raises(DatabaseWentAway):
        documents.upload(
            world.supplier.id, DocumentKind.EQUALITY, "Equality policy", uploaded("eq.pdf", PDF),
            None, world.owner,
        )  # fmt: skip
    db.session.rollback()  # as the end of the request does
    assert stored() == before
    assert db.session.scalars(db.select(Document)).all() == []

    # The same upload again, with the database back: one file, one row.
    document = documents.upload(
        world.supplier.id, DocumentKind.EQUALITY, "Equality policy", uploaded("eq.pdf", PDF),
        None, world.owner,
    )  # fmt: skip
    assert [p.relative_to(p.parents[1]).as_posix() for p in stored()] == [document.storage_key]


def test_an_answer_sent_again_after_a_failure_keeps_one_copy_of_its_document(app: Flask) -> None:
    office = make_office()
    now = utcnow()
    application = sent_application(
        office.world, office.world.supplier, received_at=now - timedelta(days=3)
    )
    request = clarifications.ask(
        application,
        question="Which case study did your consortium member work on?",
        reply_by=(now + timedelta(days=7)).date(),
        actor=office.officer,
        at=now,
    )
    request_id = request.id
    before = stored()

    def send() -> None:
        clarifications.answer(
            db.session.get(clarifications.ClarificationRequest, request_id),
            text="The workshops in the Rochdale case study.",
            new_document=clarifications.NewDocument(
                kind="other", title="Workshop report", file=uploaded("r.pdf", PDF), expires_on=None
            ),
            actor=office.world.owner,
            at=now,
        )

    with commits_failing(), pytest.raises(DatabaseWentAway):
        send()
    db.session.rollback()
    assert stored() == before
    assert db.session.scalars(db.select(Document)).all() == []

    send()
    [report] = db.session.scalars(db.select(Document)).all()
    assert report.title == "Workshop report"
    assert len(stored()) == len(before) + 1
    answered = db.session.get(clarifications.ClarificationRequest, request_id)
    assert answered is not None and answered.document_ids == [report.id]


def test_a_call_off_document_whose_commit_fails_leaves_no_file(app: Flask) -> None:
    cw = make_calloff_world()
    call_off = drafting.start_draft(cw.council.id, cw.world.lots[1].id, actor=cw.buyer)
    before = stored()
    with commits_failing(), pytest.raises(DatabaseWentAway):
        calloff_documents.upload(call_off, "Specification", uploaded("s.pdf", PDF), actor=cw.buyer)
    db.session.rollback()
    assert stored() == before
    assert db.session.scalars(db.select(CallOffDocument)).all() == []


def test_a_tender_document_whose_commit_fails_leaves_no_file(app: Flask) -> None:
    tw = published(make_calloff_world())
    before = stored()
    with commits_failing(), pytest.raises(DatabaseWentAway):
        tender_documents.upload(
            tw.call_off.id, tw.suppliers[0], "Method statement", uploaded("m.pdf", PDF),
            actor=tw.people[0], at=SENT_AT + timedelta(days=1),
        )  # fmt: skip
    db.session.rollback()
    assert stored() == before
    assert db.session.scalars(db.select(TenderDocument)).all() == []
