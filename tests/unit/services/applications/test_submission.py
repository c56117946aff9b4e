"""Sending an application in: when the DPS takes applications (to the second), what a
submission records and sends, every refusal at once, the declaration, the application's
lifecycle and withdrawing (drafting is test_drafting.py, the snapshot test_snapshot.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import product

import pytest

from dps.celery_app import celery, load_task_modules
from dps.extensions import db
from dps.models import Application, AuditEvent, OutboxMessage
from dps.rules import pcr2015
from dps.rules.enums import ApplicationStatus, LotOutcome, OutboxKind
from dps.rules.lifecycles import APPLICATION
from dps.services.applications import drafting, submission
from dps.services.applications.drafting import ApplicationError, ApplicationLocked
from dps.services.common.statemachine import IllegalTransition, move
from dps.services.suppliers import profiles
from tests.fixtures.application_world import (
    DECLARATION,
    DURING_THE_PERIOD,
    World,
    admit,
    complete_everything,
    earlier_application,
    ready_to_send,
)

# --- the period, to the second -------------------------------------------------------------
from tests.fixtures.applying import (
    CHECKS_AVAILABLE,
    S,
    emails,
    london,
    refusal,
    submit,
)

pytestmark = pytest.mark.usefixtures("checks_not_installed")


def test_the_last_second_of_the_last_day_is_inside_and_the_next_is_outside(world: World) -> None:
    # 31 March 2026 is in British Summer Time: London's midnight is 23:00 UTC the day before.
    world.dps.period_end = date(2026, 3, 31)
    db.session.commit()
    application = ready_to_send(world, [1])

    midnight = london(2026, 4, 1, 0, 0, 0)
    assert refusal(application, at=midnight) == [
        "The dynamic purchasing system is not open for applications. It opened on 1 April 2020 "
        "and closed at midnight at the end of 31 March 2026."
    ]

    last_second = london(2026, 3, 31, 23, 59, 59)
    assert last_second == datetime(2026, 3, 31, 22, 59, 59, tzinfo=UTC)
    submit(world, application, at=last_second)
    assert application.status == S.SUBMITTED
    assert application.submitted_at == last_second


def test_before_the_start_is_refused_and_the_first_second_accepted(world: World) -> None:
    world.dps.period_start = date(2026, 12, 1)
    db.session.commit()
    application = ready_to_send(world, [2])

    assert refusal(application, at=london(2026, 11, 30, 23, 59, 59)) == [
        "The dynamic purchasing system is not open for applications yet. It opens on 1 December "
        "2026 and closes at midnight at the end of 23 February 2029."
    ]
    submit(world, application, at=london(2026, 12, 1, 0, 0, 0))
    assert application.status == S.SUBMITTED


# --- what submitting does -------------------------------------------------------------------


def test_submitting_records_receipt_starts_the_clock_and_sends_a_receipt(world: World) -> None:
    draft = ready_to_send(world, [1, 2])
    # Wednesday 25 November 2026, 10:30 UTC: ten working days later is Wednesday 9 December.
    submit(world, draft, at=DURING_THE_PERIOD)

    db.session.expire_all()
    assert draft.status == S.SUBMITTED
    assert draft.submitted_at == DURING_THE_PERIOD
    assert draft.submitted_by_id == world.owner.id
    assert draft.decision_due_at == pcr2015.decision_due_at(DURING_THE_PERIOD)
    assert draft.decision_due_at == datetime(2026, 12, 9, 23, 59, 59, tzinfo=UTC)
    assert (draft.declaration_name, draft.declaration_role) == ("Ada Lovelace", "Director")

    [receipt] = emails()
    assert receipt.payload["to"] == world.owner.email
    assert receipt.payload["subject"] == f"We have received your application {draft.reference}"
    body = receipt.payload["body"]
    assert "Lot 1 – Policy Development & Testing" in body
    assert "Lot 2 – Capacity Building" in body
    assert "by 11:59pm on 9 December 2026 (UK time)" in body
    assert f"http://localhost/supplier/applications/{draft.id}" in body

    [event] = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "application.submitted")
    ).all()
    assert event.actor_user_id == world.owner.id
    assert event.after["snapshot_checksum"] == draft.snapshot_checksum
    assert event.before == {"status": "draft"}


def test_the_decision_date_is_shown_in_london_time(world: World) -> None:
    # Received on a summer evening in London that is still the afternoon in UTC.
    world.dps.period_end = date(2026, 8, 31)
    db.session.commit()
    draft = ready_to_send(world, [1])
    submit(world, draft, at=london(2026, 7, 31, 20, 15))
    # Friday 31 July is day 0; ten working days later is Friday 14 August, 23:59:59 BST.
    assert draft.decision_due_at == london(2026, 8, 14, 23, 59, 59)
    assert "by 11:59pm on 14 August 2026" in emails()[0].payload["body"]


def test_until_the_checks_exist_a_submitted_application_waits_as_received(
    world: World,
) -> None:
    draft = ready_to_send(world, [1])
    submit(world, draft)
    assert draft.status == S.SUBMITTED
    tasks = db.session.scalars(
        db.select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.TASK)
    ).all()
    assert tasks == []


def test_once_the_checks_exist_they_are_handed_the_application_after_the_commit(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[int, str]] = []
    name = "tests.recording_qualification_checks"
    load_task_modules()  # the real tasks, if any, registered under their own names first
    monkeypatch.setattr(submission, "checks_available", CHECKS_AVAILABLE)
    monkeypatch.setattr(submission, "CHECKS_TASK", name)

    @celery.task(name=name)
    def run_application_checks(application_id: int) -> None:
        # Runs after the commit, in a session of its own: it sees the sent application.
        found = db.session.get(Application, application_id)
        seen.append((application_id, found.status.value if found else "missing"))

    try:
        assert submission.checks_available()
        draft = ready_to_send(world, [1])
        submit(world, draft)
        [task] = db.session.scalars(
            db.select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.TASK)
        ).all()
        assert task.payload == {"name": name, "args": [draft.id], "queue": "dps-checks"}
        assert seen == [(draft.id, "submitted")]
    finally:
        celery.tasks.unregister(name)


def test_every_gap_must_be_closed_and_nothing_is_lost(world: World) -> None:
    complete_everything(world.supplier, world.owner, [1, 2])
    profiles.update_profile(world.supplier.id, {"postcode": "not a postcode"}, world.owner)
    draft = drafting.start_application(world.supplier.id, [1], actor=world.owner)
    [message] = refusal(draft)
    assert message == (
        "Your application is not finished: 1 thing still to do. "
        "Check your answers to see what is missing."
    )
    # What was typed is still there to correct.
    assert profiles.profile_for(world.supplier.id).pending_input == {"postcode": "not a postcode"}


def test_every_refusal_is_given_at_once(world: World) -> None:
    world.dps.period_end = date(2024, 3, 31)
    db.session.commit()
    draft = drafting.start_application(world.supplier.id, [1, 2], actor=world.owner)
    admit(world, 2)
    messages = refusal(draft)
    assert len(messages) == 3
    assert messages[0].startswith("The dynamic purchasing system is not open for applications.")
    assert messages[1] == "You are already admitted to Lot 2. Choose a lot you are not in yet."
    assert messages[2].startswith("Your application is not finished:")


@pytest.mark.parametrize(
    ("declaration", "field"),
    [
        (submission.Declaration(" ", "Director", True), "declaration_name"),
        (submission.Declaration("Ada Lovelace", "", True), "declaration_role"),
        (submission.Declaration("Ada Lovelace", "Director", False), "confirm"),
    ],
)
def test_the_declaration_must_be_made(
    world: World, declaration: submission.Declaration, field: str
) -> None:
    draft = ready_to_send(world, [1])
    with pytest.raises(ApplicationError) as refused:
        submission.submit(draft, declaration, actor=world.owner, at=DURING_THE_PERIOD)
    assert refused.value.field == field
    db.session.rollback()
    assert db.session.get(Application, draft.id).status == S.DRAFT  # type: ignore[union-attr]


# --- the lifecycle --------------------------------------------------------------------------

# DESIGN §4: draft → submitted → checking → ready for review ⇄ clarification requested →
# decided; withdrawn from any state before decided.
ALLOWED = {
    (S.DRAFT, S.SUBMITTED),
    (S.SUBMITTED, S.CHECKING),
    (S.CHECKING, S.READY_FOR_REVIEW),
    (S.READY_FOR_REVIEW, S.CLARIFICATION_REQUESTED),
    (S.CLARIFICATION_REQUESTED, S.READY_FOR_REVIEW),
    (S.READY_FOR_REVIEW, S.DECIDED),
    *((state, S.WITHDRAWN) for state in S if state not in (S.DECIDED, S.WITHDRAWN)),
}


@pytest.mark.parametrize(("current", "target"), list(product(S, S)))
def test_the_lifecycle_allows_exactly_the_moves_of_the_design(
    current: ApplicationStatus, target: ApplicationStatus
) -> None:
    assert APPLICATION.allowed(current, target) == ((current, target) in ALLOWED)


def test_an_illegal_move_raises_changes_nothing_and_records_nothing(world: World) -> None:
    draft = ready_to_send(world, [1])
    submit(world, draft)
    events = db.session.scalar(db.select(db.func.count()).select_from(AuditEvent))
    for target in (S.DRAFT, S.READY_FOR_REVIEW, S.DECIDED):
        with pytest.raises(IllegalTransition):
            move(APPLICATION, draft, target, actor=world.owner)
    assert draft.status == S.SUBMITTED
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)) == events


def test_a_decided_application_is_never_edited(world: World) -> None:
    decided = earlier_application(world, [1], S.DECIDED, LotOutcome.REJECTED)
    with pytest.raises(ApplicationLocked):
        drafting.change_lots(decided, [2], actor=world.owner)
    with pytest.raises(ApplicationLocked):
        submission.submit(decided, DECLARATION, actor=world.owner, at=DURING_THE_PERIOD)
    assert not submission.can_withdraw(decided)
    with pytest.raises(IllegalTransition):
        submission.withdraw(decided, reason="", actor=world.owner, at=DURING_THE_PERIOD)
    db.session.rollback()
    db.session.refresh(decided)
    assert decided.status == S.DECIDED and decided.lot_numbers == [1]


def test_withdrawing_frees_the_lots_records_the_reason_and_confirms_by_email(
    world: World,
) -> None:
    draft = ready_to_send(world, [1])
    submit(world, draft)
    later = DURING_THE_PERIOD + timedelta(hours=2)
    submission.withdraw(draft, reason=" We merged. ", actor=world.owner, at=later)

    assert draft.status == S.WITHDRAWN
    assert (draft.withdrawn_at, draft.withdrawal_reason) == (later, "We merged.")
    _receipt, confirmation = emails()
    assert confirmation.payload["subject"] == (
        f"You have withdrawn your application {draft.reference}"
    )
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "application.withdrawn")
    ).one()
    assert event.after == {"status": "withdrawn", "reason": "We merged."}
    # The lot is free again: a new application for it may be made.
    again = drafting.start_application(world.supplier.id, [1], actor=world.owner)
    assert again.id != draft.id


def test_a_draft_withdrawn_is_simply_deleted_without_an_email(world: World) -> None:
    draft = drafting.start_application(world.supplier.id, [1], actor=world.owner)
    submission.withdraw(draft, reason="", actor=world.owner, at=DURING_THE_PERIOD)
    assert draft.status == S.WITHDRAWN
    assert emails() == []
    assert drafting.current_draft(world.supplier.id) is None
