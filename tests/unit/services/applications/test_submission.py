"""The rules of applying: when the DPS takes applications (to the second), which lots an
organisation may apply for, what a submission records and sends, what the snapshot keeps, and
the application's lifecycle."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime, timedelta
from itertools import product
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from dps.celery_app import celery, load_task_modules
from dps.extensions import db
from dps.models import Application, AuditEvent, OutboxMessage
from dps.rules import pcr2015
from dps.rules.enums import AdmissionStatus, ApplicationStatus, LotOutcome, OutboxKind
from dps.rules.lifecycles import APPLICATION
from dps.services.applications import snapshot as application_snapshot
from dps.services.applications import submission
from dps.services.applications.submission import (
    ApplicationError,
    ApplicationLocked,
    SubmissionRefused,
)
from dps.services.common.statemachine import IllegalTransition, move
from dps.services.suppliers import profiles, questionnaire
from tests.fixtures.application_world import (
    DECLARATION,
    DURING_THE_PERIOD,
    World,
    admit,
    complete_everything,
    earlier_application,
    make_world,
    ready_to_send,
)
from tests.fixtures.questionnaire_world import COMPLETE_INPUT

LONDON = ZoneInfo("Europe/London")
CHECKS_AVAILABLE = submission.checks_available
S = ApplicationStatus


@pytest.fixture(autouse=True)
def checks_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about applying, not the qualification checks (which, run in-process,
    would move a sent application on): here, as if none were installed."""
    monkeypatch.setattr(submission, "checks_available", lambda: False)


@pytest.fixture
def world(app: Flask) -> World:
    return make_world()


def london(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON).astimezone(UTC)  # type: ignore[misc]


def emails() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            db.select(OutboxMessage)
            .where(OutboxMessage.kind == OutboxKind.EMAIL)
            .order_by(OutboxMessage.id)
        )
    )


def refusal(application: Application, at: datetime = DURING_THE_PERIOD) -> list[str]:
    """The reasons a submission at ``at`` is refused; checks that nothing was changed."""
    with pytest.raises(SubmissionRefused) as refused:
        submission.submit(application, DECLARATION, actor=application_owner(application), at=at)
    db.session.rollback()
    db.session.refresh(application)
    assert application.status == S.DRAFT
    assert application.submitted_at is None and application.snapshot is None
    assert emails() == []
    return [problem.message for problem in refused.value.problems]


def application_owner(application: Application) -> Any:
    from dps.models import User

    return db.session.get(User, application.created_by_id)


def submit(world: World, application: Application, at: datetime = DURING_THE_PERIOD) -> None:
    submission.submit(application, DECLARATION, actor=world.owner, at=at)


# --- the period, to the second -------------------------------------------------------------


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


def test_a_draft_can_be_prepared_while_the_dps_is_closed(world: World) -> None:
    world.dps.period_end = date(2021, 3, 31)
    db.session.commit()
    application = ready_to_send(world, [1, 2])
    assert application.status == S.DRAFT
    assert application.lot_numbers == [1, 2]


# --- which lots -----------------------------------------------------------------------------


def test_an_undecided_application_for_lot_1_holds_lot_1_but_not_lot_2(world: World) -> None:
    complete_everything(world.supplier, world.owner, [1, 2])
    earlier = earlier_application(world, [1], S.CHECKING)

    with pytest.raises(ApplicationError) as refused:
        submission.start_application(world.supplier.id, [1, 2], actor=world.owner)
    assert refused.value.message == (
        f"You cannot apply for Lot 1 until we have decided your application {earlier.reference}."
    )
    assert submission.current_draft(world.supplier.id) is None

    for_lot_2 = submission.start_application(world.supplier.id, [2], actor=world.owner)
    submit(world, for_lot_2)
    assert for_lot_2.status == S.SUBMITTED


@pytest.mark.parametrize(
    "status", [S.SUBMITTED, S.CHECKING, S.READY_FOR_REVIEW, S.CLARIFICATION_REQUESTED]
)
def test_submission_itself_refuses_a_lot_held_by_an_undecided_application(
    world: World, status: ApplicationStatus
) -> None:
    # The draft was started first; the earlier application for Lot 1 is still undecided when
    # the draft is sent (for example one a colleague sent from another browser).
    draft = ready_to_send(world, [1, 2])
    earlier = earlier_application(world, [1], status)
    assert refusal(draft) == [
        f"You cannot apply for Lot 1 until we have decided your application {earlier.reference}."
    ]


@pytest.mark.parametrize("status", [S.DECIDED, S.WITHDRAWN])
def test_a_decided_or_withdrawn_application_no_longer_holds_its_lots(
    world: World, status: ApplicationStatus
) -> None:
    earlier_application(world, [1, 2], status, LotOutcome.REJECTED)
    draft = ready_to_send(world, [1, 2])
    submit(world, draft)
    assert draft.status == S.SUBMITTED


@pytest.mark.parametrize("status", [AdmissionStatus.ADMITTED, AdmissionStatus.SUSPENDED])
def test_admitted_to_lot_1_cannot_apply_for_it_but_can_for_lot_2(
    world: World, status: AdmissionStatus
) -> None:
    complete_everything(world.supplier, world.owner, [1, 2])
    admit(world, 1, status)

    with pytest.raises(ApplicationError) as refused:
        submission.start_application(world.supplier.id, [1], actor=world.owner)
    assert refused.value.message == (
        "You are already admitted to Lot 1. Choose a lot you are not in yet."
    )
    availability = submission.lot_availability(world.supplier.id, world.dps)
    assert [(a.lot.number, a.available) for a in availability] == [(1, False), (2, True)]

    draft = submission.start_application(world.supplier.id, [2], actor=world.owner)
    submit(world, draft)
    assert draft.status == S.SUBMITTED


def test_admission_arriving_after_the_draft_started_is_refused_at_submission(
    world: World,
) -> None:
    draft = ready_to_send(world, [1, 2])
    admit(world, 2)
    assert refusal(draft) == ["You are already admitted to Lot 2. Choose a lot you are not in yet."]


def test_a_supplier_removed_from_a_lot_may_apply_for_it_again(world: World) -> None:
    complete_everything(world.supplier, world.owner, [1, 2])
    admit(world, 1, AdmissionStatus.REMOVED)
    draft = submission.start_application(world.supplier.id, [1], actor=world.owner)
    submit(world, draft)
    assert draft.status == S.SUBMITTED


def test_a_rejected_lot_may_be_applied_for_again_and_the_new_one_follows_the_old(
    world: World,
) -> None:
    rejected = earlier_application(world, [1], S.DECIDED, LotOutcome.REJECTED)
    again = ready_to_send(world, [1])
    assert again.supersedes_id == rejected.id
    submit(world, again)
    assert again.status == S.SUBMITTED


# --- drafts ---------------------------------------------------------------------------------


def test_one_draft_at_a_time_starting_again_continues_it_with_the_new_lots(world: World) -> None:
    first = submission.start_application(world.supplier.id, [1], actor=world.owner)
    second = submission.start_application(world.supplier.id, [2], actor=world.owner)
    assert second.id == first.id
    assert second.lot_numbers == [2]
    assert first.reference == f"CCIN-DPS-{first.id:06d}"
    assert db.session.scalar(db.select(db.func.count()).select_from(Application)) == 1
    actions = db.session.scalars(
        db.select(AuditEvent.action).where(AuditEvent.object_type == "applications")
    ).all()
    assert actions == ["application.started", "application.lots_changed"]


@pytest.mark.parametrize(
    ("lots", "message"),
    [([], "Select the lots you are applying for."), ([3], "Select Lot 1, Lot 2 or both.")],
)
def test_lots_must_be_lots_of_the_dps(world: World, lots: list[int], message: str) -> None:
    with pytest.raises(ApplicationError) as refused:
        submission.start_application(world.supplier.id, lots, actor=world.owner)
    assert refused.value.message == message


def test_applications_are_found_only_by_their_own_organisation(world: World) -> None:
    draft = submission.start_application(world.supplier.id, [1], actor=world.owner)
    assert submission.get_application(draft.id, world.supplier.id) is draft
    assert submission.get_application(draft.id, world.rival.id) is None


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
    draft = submission.start_application(world.supplier.id, [1], actor=world.owner)
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
    draft = submission.start_application(world.supplier.id, [1, 2], actor=world.owner)
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


# --- the snapshot ---------------------------------------------------------------------------


def test_the_snapshot_keeps_what_was_sent(world: World) -> None:
    draft = ready_to_send(world, [1, 2])
    submit(world, draft)
    snapshot = draft.snapshot
    assert snapshot is not None
    version = questionnaire.current_version()
    assert snapshot["questionnaire"] == {
        "key": version.key,
        "version": version.version,
        "checksum": version.checksum,
    }
    assert snapshot["lots"] == [
        {"number": 1, "title": "Policy Development & Testing"},
        {"number": 2, "title": "Capacity Building"},
    ]
    assert snapshot["profile"]["legal_name"] == "Co-operative Futures Ltd"
    assert snapshot["profile"]["employees"] == 12
    assert snapshot["answers"]["annual_turnover"] == 125_000_000
    assert snapshot["declaration"]["name"] == "Ada Lovelace"
    kept = {d["kind"]: d for d in snapshot["documents"]}
    assert set(kept) >= {"accounts", "data_protection_policy"}
    assert set(kept["accounts"]) == {"id", "kind", "title", "filename", "sha256", "expires_on"}
    assert len(kept["accounts"]["sha256"]) == 64


def test_questions_for_a_lot_not_chosen_are_not_in_the_snapshot(world: World) -> None:
    draft = ready_to_send(world, [1])
    stored = questionnaire.answers_for(world.supplier.id).answers
    assert "lot2_legacy" in stored and "lot2_case_studies" in stored
    submit(world, draft)
    answers = draft.snapshot["answers"]  # type: ignore[index]
    assert "lot1_policy_experience" in answers and "lot1_case_studies" in answers
    assert "lot2_legacy" not in answers and "lot2_case_studies" not in answers


def test_employers_liability_is_not_in_the_snapshot_of_an_organisation_without_employees(
    world: World,
) -> None:
    draft = ready_to_send(world, [1])
    assert "employers_liability_cover" in questionnaire.answers_for(world.supplier.id).answers
    profiles.update_profile(world.supplier.id, {"employees": "0", "size": "micro"}, world.owner)
    submit(world, draft)
    answers = draft.snapshot["answers"]  # type: ignore[index]
    assert "public_liability_cover" in answers
    assert "employers_liability_cover" not in answers
    assert "employers_liability_expiry" not in answers


def test_a_sole_bidder_has_no_consortium_members_in_the_snapshot(world: World) -> None:
    draft = ready_to_send(world, [2])
    errors = questionnaire.save_section(
        world.supplier.id, "bidding", {"bid_type": "alone", "part_of_group": "no"}, world.owner
    )
    assert errors == {}
    submit(world, draft)
    answers = draft.snapshot["answers"]  # type: ignore[index]
    assert answers["bid_type"] == "alone"
    assert "consortium_members" not in answers


def test_the_checksum_is_stable_and_detects_a_change(world: World) -> None:
    draft = ready_to_send(world, [1, 2])
    submit(world, draft)
    checksum = draft.snapshot_checksum
    assert checksum is not None and len(checksum) == 64

    # Read back from the database, the snapshot has the same checksum.
    db.session.expire_all()
    stored = db.session.get(Application, draft.id)
    assert stored is not None and stored.snapshot is not None
    assert application_snapshot.checksum(stored.snapshot) == checksum
    assert application_snapshot.is_intact(stored)
    # Key order does not matter; any change to a value does.
    assert application_snapshot.checksum(dict(reversed(stored.snapshot.items()))) == checksum
    changed = copy.deepcopy(stored.snapshot)
    changed["answers"]["annual_turnover"] += 1
    assert application_snapshot.checksum(changed) != checksum
    stored.snapshot = changed
    assert not application_snapshot.is_intact(stored)


def test_later_changes_to_the_answers_leave_the_snapshot_alone(world: World) -> None:
    draft = ready_to_send(world, [1])
    submit(world, draft)
    economic_standing = {**COMPLETE_INPUT["economic_standing"], "annual_turnover": "2,000,000"}
    questionnaire.save_section(
        world.supplier.id, "economic_standing", economic_standing, world.owner
    )
    db.session.expire_all()
    assert questionnaire.answers_for(world.supplier.id).answers["annual_turnover"] == 200_000_000
    sent = db.session.get(Application, draft.id)
    assert sent is not None and sent.snapshot is not None
    assert sent.snapshot["answers"]["annual_turnover"] == 125_000_000
    assert application_snapshot.is_intact(sent)


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
        submission.change_lots(decided, [2], actor=world.owner)
    with pytest.raises(ApplicationLocked):
        submission.submit(decided, DECLARATION, actor=world.owner, at=DURING_THE_PERIOD)
    assert not submission.can_withdraw(decided)
    with pytest.raises(IllegalTransition):
        submission.withdraw(decided, reason="", actor=world.owner, at=DURING_THE_PERIOD)
    db.session.rollback()
    db.session.refresh(decided)
    assert decided.status == S.DECIDED and decided.lot_numbers == [1]


def test_a_sent_application_cannot_change_its_lots(world: World) -> None:
    draft = ready_to_send(world, [1])
    submit(world, draft)
    with pytest.raises(ApplicationLocked):
        submission.change_lots(draft, [1, 2], actor=world.owner)


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
    again = submission.start_application(world.supplier.id, [1], actor=world.owner)
    assert again.id != draft.id


def test_a_draft_withdrawn_is_simply_deleted_without_an_email(world: World) -> None:
    draft = submission.start_application(world.supplier.id, [1], actor=world.owner)
    submission.withdraw(draft, reason="", actor=world.owner, at=DURING_THE_PERIOD)
    assert draft.status == S.WITHDRAWN
    assert emails() == []
    assert submission.current_draft(world.supplier.id) is None


def test_a_new_application_follows_only_one_that_is_over(world: World) -> None:
    undecided = earlier_application(world, [2], S.READY_FOR_REVIEW)
    with pytest.raises(ApplicationError) as refused:
        submission.start_application(world.supplier.id, [1], actor=world.owner, follows=undecided)
    assert refused.value.message == (
        "A new application can only follow one that has been decided or withdrawn."
    )
    withdrawn = earlier_application(world, [2], S.WITHDRAWN)
    draft = submission.start_application(
        world.supplier.id, [1], actor=world.owner, follows=withdrawn
    )
    assert draft.supersedes_id == withdrawn.id
