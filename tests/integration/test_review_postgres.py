"""Reviewing on PostgreSQL, as the application's own (non-superuser) role: the work queue costs
the same number of queries for 1, P + 1 and 10,000 applications, and two officers deciding
at once decide each lot once, with one letter and one admission."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from dps.extensions import db
from dps.models import Admission, Application, AuditEvent, OutboxMessage, User
from dps.rules.enums import ApplicationStatus, LotOutcome, OutboxKind
from dps.services.applications import submission
from dps.services.qualification import decisions
from tests.fixtures.helpers import sign_in
from tests.fixtures.query_counting import assert_same_queries_however_many
from tests.fixtures.review_world import ReviewWorld, make_review_world, ready_for_review

pytestmark = [pytest.mark.postgres]

S = ApplicationStatus


@pytest.fixture(autouse=True)
def checks_not_installed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # The world brings applications to review itself, with a finished run of checks.
    monkeypatch.setattr(submission, "checks_available", lambda: False)
    yield


@pytest.fixture
def rw(pg_app: Flask) -> ReviewWorld:
    return make_review_world()


@pytest.mark.timeout(120)
def test_the_queue_makes_the_same_queries_for_1_p_plus_1_and_10000(
    pg_app: Flask, pg_client: FlaskClient, rw: ReviewWorld
) -> None:
    per_page = pg_app.config["REVIEW_PAGE_SIZE"]
    assert_same_queries_however_many(rw, sign_in(pg_client, rw.officer), per_page)


def _letters() -> list[OutboxMessage]:
    return [
        m
        for m in db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.EMAIL)
        )
        if m.subject.startswith("Application CCIN-DPS")
    ]


def _decide_at_once(
    pg_app: Flask, application_id: int, decisions_by_officer: dict[int, tuple[int, str]]
) -> dict[int, str]:
    """Each officer decides (lot id, outcome) in a thread of its own; the first holds its
    transaction open until the second is waiting. Returns each officer's outcome."""
    first_holds = threading.Event()
    let_first_commit = threading.Event()
    outcomes: dict[int, str] = {}

    def decide(officer_id: int, hold: bool) -> None:
        lot_id, outcome = decisions_by_officer[officer_id]
        with pg_app.app_context():  # a session and connection of its own
            actor = db.session.get(User, officer_id)
            # As the decision page has it: the application and its lots read before deciding.
            seen = db.session.get(Application, application_id)
            assert actor is not None and seen is not None
            assert all(al.outcome == LotOutcome.PENDING for al in seen.lots)
            if hold:

                def pause(_session: Any) -> None:
                    first_holds.set()
                    let_first_commit.wait(timeout=20)

                sa.event.listen(db.session(), "before_commit", pause, once=True)
            try:
                decisions.decide_lot(application_id, lot_id, outcome, "", [], actor)
                outcomes[officer_id] = "decided"
            except decisions.DecisionRefused as refused:
                db.session.rollback()
                outcomes[officer_id] = refused.message

    first_id, second_id = decisions_by_officer
    first = threading.Thread(target=decide, args=(first_id, True))
    second = threading.Thread(target=decide, args=(second_id, False))
    first.start()
    assert first_holds.wait(timeout=20)
    second.start()
    time.sleep(0.5)
    assert second.is_alive(), "the second officer should wait for the first"
    let_first_commit.set()
    first.join(timeout=20)
    second.join(timeout=20)
    return outcomes


@pytest.mark.timeout(60)
def test_two_officers_deciding_one_lot_at_once_decide_it_once(
    pg_app: Flask, rw: ReviewWorld
) -> None:
    application = ready_for_review(rw.world, [1])
    lot = rw.world.lots[1].id
    outcomes = _decide_at_once(
        pg_app,
        application.id,
        {rw.officer.id: (lot, "admitted"), rw.colleague.id: (lot, "admitted")},
    )

    assert outcomes[rw.officer.id] == "decided"
    assert "already been decided" in outcomes[rw.colleague.id]
    db.session.expire_all()
    assert len(db.session.scalars(sa.select(Admission)).all()) == 1
    assert len(_letters()) == 1
    decided = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "application.decided")
    ).all()
    assert len(decided) == 1


@pytest.mark.timeout(60)
def test_two_officers_deciding_the_two_lots_at_once_decide_the_application(
    pg_app: Flask, rw: ReviewWorld
) -> None:
    application = ready_for_review(rw.world, [1, 2])
    outcomes = _decide_at_once(
        pg_app,
        application.id,
        {
            rw.officer.id: (rw.world.lots[1].id, "admitted"),
            rw.colleague.id: (rw.world.lots[2].id, "admitted"),
        },
    )

    assert set(outcomes.values()) == {"decided"}
    db.session.expire_all()
    decided = db.session.get(Application, application.id)
    assert decided is not None
    # The second saw the first's decision once it had the lock, and closed the application.
    assert decided.status == S.DECIDED
    assert {al.outcome for al in decided.lots} == {LotOutcome.ADMITTED}
    assert len(_letters()) == 2
