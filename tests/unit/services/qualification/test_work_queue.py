"""The administrators' work queue: open applications by default, filters by status, lot and
officer, soonest due first, working days left and overdue ones flagged, pages of P, and the
same number of SQL queries for 1, P + 1 and 10,000 applications."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from dps.extensions import db
from dps.models import Application, AuditEvent
from dps.rules.enums import ApplicationStatus
from dps.services.applications import submission
from dps.services.qualification import work_queue
from dps.services.qualification.work_queue import OfficerFilter, QueueFilters
from tests.fixtures.helpers import sign_in
from tests.fixtures.query_counting import assert_same_queries_however_many
from tests.fixtures.review_world import ReviewWorld, bulk_applications, make_review_world

S = ApplicationStatus
# Wednesday 25 November 2026, 10:30 UTC: received then, a decision is due by 11:59pm on
# Wednesday 9 December (10 working days, no bank holiday between).
RECEIVED = datetime(2026, 11, 25, 10, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def no_checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(submission, "checks_available", lambda: False)
    yield


@pytest.fixture
def rw(app: Flask) -> ReviewWorld:
    return make_review_world()


def queue(rw: ReviewWorld, at: datetime = RECEIVED, **filters: Any) -> work_queue.QueuePage:
    return work_queue.work_queue(
        QueueFilters(**filters), viewer_id=rw.officer.id, at=at, page=1, per_page=25
    )


def references(page: work_queue.QueuePage) -> list[str | None]:
    return [row.application.reference for row in page.rows]


def set_status(ids: list[int], status: ApplicationStatus) -> None:
    db.session.execute(update(Application).where(Application.id.in_(ids)).values(status=status))
    db.session.commit()


# --- what the queue shows ---------------------------------------------------------------------


def test_work_still_to_do_by_default_and_decided_or_withdrawn_when_asked(rw: ReviewWorld) -> None:
    ids = bulk_applications(rw.world, 7)
    for app_id, status in zip(ids, S, strict=True):
        set_status([app_id], status)  # one application at each status, the draft included

    shown = {row.application.status for row in queue(rw).rows}
    assert shown == {S.SUBMITTED, S.CHECKING, S.READY_FOR_REVIEW, S.CLARIFICATION_REQUESTED}
    assert [r.application.status for r in queue(rw, status=S.DECIDED).rows] == [S.DECIDED]
    assert [r.application.status for r in queue(rw, status=S.WITHDRAWN).rows] == [S.WITHDRAWN]
    # A draft is the supplier's own business, whatever the filter.
    assert all(r.application.status != S.DRAFT for s in S for r in queue(rw, status=s).rows)


def test_soonest_due_first(rw: ReviewWorld) -> None:
    late = bulk_applications(rw.world, 1, received=datetime(2026, 12, 1, 9, tzinfo=UTC))
    early = bulk_applications(rw.world, 1, start=1, received=datetime(2026, 11, 2, 9, tzinfo=UTC))
    middle = bulk_applications(rw.world, 1, start=2, received=datetime(2026, 11, 16, 9, tzinfo=UTC))
    assert [row.application.id for row in queue(rw).rows] == early + middle + late


def test_working_days_left_and_overdue(rw: ReviewWorld) -> None:
    (app_id,) = bulk_applications(rw.world, 1, received=RECEIVED)

    def row_at(at: datetime) -> work_queue.QueueRow:
        (row,) = queue(rw, at=at).rows
        return row

    assert row_at(RECEIVED).working_days_left == 10
    assert not row_at(RECEIVED).overdue
    # Friday 4 December: Monday to Wednesday are left.
    assert row_at(datetime(2026, 12, 4, 12, tzinfo=UTC)).working_days_left == 3
    due_day = row_at(datetime(2026, 12, 9, 23, 59, tzinfo=UTC))  # 11:59pm London, in time
    assert due_day.working_days_left == 0 and not due_day.overdue
    late = row_at(datetime(2026, 12, 10, 0, 0, 1, tzinfo=UTC))
    assert late.overdue and late.working_days_left == -1
    # Over the weekend the count stands still.
    assert row_at(datetime(2026, 12, 13, 12, tzinfo=UTC)).working_days_left == -2
    # A decided application is never overdue.
    set_status([app_id], S.DECIDED)
    (decided,) = queue(rw, at=datetime(2027, 1, 5, tzinfo=UTC), status=S.DECIDED).rows
    assert not decided.overdue


def test_filter_by_lot(rw: ReviewWorld) -> None:
    both = bulk_applications(rw.world, 1, lot_numbers=(1, 2))
    lot1 = bulk_applications(rw.world, 1, start=1, lot_numbers=(1,))
    lot2 = bulk_applications(rw.world, 1, start=2, lot_numbers=(2,))
    ids = lambda page: [row.application.id for row in page.rows]  # noqa: E731
    assert ids(queue(rw, lot_id=rw.world.lots[1].id)) == both + lot1
    assert ids(queue(rw, lot_id=rw.world.lots[2].id)) == both + lot2


def test_filter_by_officer(rw: ReviewWorld) -> None:
    mine = bulk_applications(rw.world, 2, officer=rw.officer)
    theirs = bulk_applications(rw.world, 1, start=2, officer=rw.colleague)
    nobody = bulk_applications(rw.world, 1, start=3)
    ids = lambda page: [row.application.id for row in page.rows]  # noqa: E731

    assert ids(queue(rw, officer=OfficerFilter.ME)) == mine
    assert ids(queue(rw, officer=OfficerFilter.UNASSIGNED)) == nobody
    assert ids(queue(rw, officer=str(rw.colleague.id))) == theirs
    assert ids(queue(rw)) == mine + theirs + nobody
    assert {row.application.assigned_officer.name for row in queue(rw).rows[:3]} == {  # type: ignore[union-attr]
        "Olu Officer",
        "Sam Second",
    }


def test_pages_of_the_configured_size(rw: ReviewWorld) -> None:
    ids = bulk_applications(rw.world, 7)

    def page(number: int) -> work_queue.QueuePage:
        return work_queue.work_queue(
            QueueFilters(), viewer_id=rw.officer.id, at=RECEIVED, page=number, per_page=3
        )

    assert page(1).pagination.total == 7
    assert page(1).pagination.pages == 3
    assert [r.application.id for r in page(1).rows + page(2).rows + page(3).rows] == ids
    assert page(9).rows == []  # a page past the end is empty, not an error


# --- assigning --------------------------------------------------------------------------------


def test_any_administrator_assigns_an_officer_and_it_is_audited(rw: ReviewWorld) -> None:
    (app_id,) = bulk_applications(rw.world, 1)
    application = db.session.get(Application, app_id)
    assert application is not None

    work_queue.assign(application, rw.colleague.id, actor=rw.officer)
    work_queue.assign(application, rw.officer.id, actor=rw.officer)

    assert application.assigned_officer_id == rw.officer.id
    changes = [
        (e.before, e.after)
        for e in db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == "application.assigned")
        )
    ]
    assert changes == [
        ({"officer": None}, {"officer": "Sam Second", "officer_id": rw.colleague.id}),
        ({"officer": "Sam Second"}, {"officer": "Olu Officer", "officer_id": rw.officer.id}),
    ]


def test_only_an_administrator_is_assigned_and_only_while_undecided(rw: ReviewWorld) -> None:
    (app_id,) = bulk_applications(rw.world, 1)
    application = db.session.get(Application, app_id)
    assert application is not None
    with pytest.raises(work_queue.ReviewError) as refused:
        work_queue.assign(application, rw.owner.id, actor=rw.officer)
    assert refused.value.field == "officer"
    set_status([app_id], S.DECIDED)
    db.session.refresh(application)
    with pytest.raises(work_queue.ReviewError, match="decided"):
        work_queue.assign(application, rw.officer.id, actor=rw.officer)


# --- the same number of queries however long the queue ----------------------------------------


def test_the_queue_makes_the_same_queries_for_1_p_plus_1_and_10000(
    rw: ReviewWorld, app: Flask, client: FlaskClient
) -> None:
    per_page = app.config["REVIEW_PAGE_SIZE"]
    assert per_page == 25
    assert_same_queries_however_many(rw, sign_in(client, rw.officer), per_page)


@pytest.mark.parametrize("officer", ["²", "١", "99999999999999999999"])
def test_an_officer_filter_that_names_no_one_finds_no_one(rw: ReviewWorld, officer: str) -> None:
    # Only a hand-edited link carries these: a number in another script, or past any id.
    assert references(queue(rw, officer=officer)) == []
