"""Deciding applications lot by lot: admitting and rejecting with reasons, the letters, the
admission made, the application decided when every lot is, and the decision clock extended
once and never beyond 15 working days."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from dps.extensions import db
from dps.models import Admission, Application, AuditEvent, OutboxMessage
from dps.rules import pcr2015
from dps.rules.calendar import london_date, working_days_between
from dps.rules.enums import AdmissionStatus, ApplicationStatus, LotOutcome, OutboxKind
from dps.rules.lifecycles import APPLICATION
from dps.services.applications import drafting, submission
from dps.services.common.statemachine import move
from dps.services.qualification import decisions
from tests.fixtures.application_world import DURING_THE_PERIOD
from tests.fixtures.review_world import ReviewWorld, make_review_world, ready_for_review, sent

S = ApplicationStatus
AT = DURING_THE_PERIOD + timedelta(days=3)
REASONS = "Your turnover is below the £50,000 this lot asks for."


@pytest.fixture(autouse=True)
def no_checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # The checks are not what these tests are about: the world brings applications to review
    # itself, with a finished run of checks.
    monkeypatch.setattr(submission, "checks_available", lambda: False)
    yield


@pytest.fixture
def rw(app: Flask) -> ReviewWorld:
    return make_review_world()


def lot_id(rw: ReviewWorld, number: int) -> int:
    return rw.world.lots[number].id


def emails() -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == OutboxKind.EMAIL)
            .order_by(OutboxMessage.id)
        )
    )


def decision_emails() -> list[OutboxMessage]:
    return [m for m in emails() if m.subject.startswith("Application CCIN-DPS")]


def actions(object_type: str, object_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id))
            .order_by(AuditEvent.id)
        )
    )


def admit(rw: ReviewWorld, application: Application, number: int) -> None:
    decisions.decide_lot(application.id, lot_id(rw, number), "admitted", "", [], rw.officer, at=AT)


def reject(rw: ReviewWorld, application: Application, number: int) -> None:
    decisions.decide_lot(
        application.id,
        lot_id(rw, number),
        "rejected",
        REASONS,
        ["financial_standing", "insurance"],
        rw.officer,
        at=AT,
    )


# --- deciding ---------------------------------------------------------------------------------


def test_each_lot_is_decided_on_its_own_and_the_application_is_decided_when_all_are(
    rw: ReviewWorld,
) -> None:
    application = ready_for_review(rw.world, [1, 2])

    admit(rw, application, 1)
    db.session.refresh(application)
    assert application.status == S.READY_FOR_REVIEW  # Lot 2 is still to decide
    assert application.decided_at is None

    reject(rw, application, 2)
    db.session.refresh(application)
    outcomes = {al.lot.number: al for al in application.lots}
    assert outcomes[1].outcome == LotOutcome.ADMITTED
    assert outcomes[2].outcome == LotOutcome.REJECTED
    assert outcomes[2].reasons == REASONS
    assert outcomes[2].reason_codes == ["financial_standing", "insurance"]
    assert outcomes[2].decided_by_id == rw.officer.id
    assert outcomes[2].decided_at == AT
    assert application.status == S.DECIDED
    assert application.decided_at == AT
    trail = actions("applications", application.id)
    assert trail.count("application.lot_decided") == 2
    assert trail[-1] == "application.decided"


def test_admitting_puts_the_supplier_in_the_pool_from_that_moment(rw: ReviewWorld) -> None:
    application = ready_for_review(rw.world, [1, 2])
    admit(rw, application, 1)
    reject(rw, application, 2)

    admissions = db.session.scalars(select(Admission)).all()
    assert len(admissions) == 1
    (admission,) = admissions
    assert admission.lot_id == lot_id(rw, 1)
    assert admission.organisation_id == rw.world.supplier.id
    assert admission.application_id == application.id
    assert admission.status == AdmissionStatus.ADMITTED
    assert admission.admitted_at == AT
    assert actions("admissions", admission.id) == ["admission.admitted"]


def test_one_letter_per_lot_with_the_reasons_for_a_rejection(rw: ReviewWorld) -> None:
    application = ready_for_review(rw.world, [1, 2])
    admit(rw, application, 1)
    reject(rw, application, 2)

    first, second = decision_emails()
    assert first.recipient == rw.owner.email
    assert first.subject == f"Application {application.reference}: admitted to Lot 1"
    assert "you are admitted to Lot 1" in first.payload["body"]
    # Lot 2 was still open when Lot 1's letter went.
    assert "still considering your application for Lot 2" in first.payload["body"]
    assert second.subject == f"Application {application.reference}: not admitted to Lot 2"
    body = second.payload["body"]
    assert REASONS in body
    assert "Economic and financial standing" in body and "Insurance cover" in body
    assert "apply again" in body
    assert "This completes our decision" in body
    assert f"/supplier/applications/{application.id}" in body


def test_the_preview_is_the_letter_that_is_sent_and_changes_nothing(rw: ReviewWorld) -> None:
    application = ready_for_review(rw.world, [2])
    before_events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    before_emails = len(emails())

    preview = decisions.letter(
        application,
        lot_id(rw, 2),
        decisions.Decision.of("rejected", REASONS, ["incomplete"]),
    )

    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before_events
    assert len(emails()) == before_emails
    assert preview.to == [rw.owner.email]
    decisions.decide_lot(
        application.id, lot_id(rw, 2), "rejected", REASONS, ["incomplete"], rw.officer, at=AT
    )
    (sent_letter,) = decision_emails()
    assert sent_letter.subject == preview.subject
    assert sent_letter.payload["body"] == preview.body


@pytest.mark.parametrize(
    ("reasons", "codes", "field"),
    [
        (REASONS, [], "codes"),
        ("   ", ["insurance"], "reasons"),
        (REASONS, ["not_a_code"], "codes"),
    ],
)
def test_a_rejection_needs_a_reason_code_and_an_explanation(
    rw: ReviewWorld, reasons: str, codes: list[str], field: str
) -> None:
    application = ready_for_review(rw.world, [1])
    before = len(emails())

    with pytest.raises(decisions.DecisionRefused) as refused:
        decisions.decide_lot(
            application.id, lot_id(rw, 1), "rejected", reasons, codes, rw.officer, at=AT
        )

    assert refused.value.field == field
    db.session.rollback()
    db.session.refresh(application)
    assert application.lots[0].outcome == LotOutcome.PENDING
    assert "application.lot_decided" not in actions("applications", application.id)
    assert len(emails()) == before


def test_a_decision_needs_an_outcome(rw: ReviewWorld) -> None:
    application = ready_for_review(rw.world, [1])
    for outcome in (None, "pending", "maybe"):
        with pytest.raises(decisions.DecisionRefused) as refused:
            decisions.decide_lot(application.id, lot_id(rw, 1), outcome, "", [], rw.officer)
        assert refused.value.field == "outcome"
        db.session.rollback()


def test_a_lot_is_decided_once(rw: ReviewWorld) -> None:
    application = ready_for_review(rw.world, [1, 2])
    reject(rw, application, 1)

    with pytest.raises(decisions.DecisionRefused, match="already been decided"):
        admit(rw, application, 1)
    db.session.rollback()
    db.session.refresh(application)
    assert {al.lot.number: al.outcome for al in application.lots}[1] == LotOutcome.REJECTED
    assert db.session.scalar(select(func.count()).select_from(Admission)) == 0


@pytest.mark.parametrize("status", [S.CHECKING, S.CLARIFICATION_REQUESTED])
def test_only_an_application_ready_for_review_is_decided(
    rw: ReviewWorld, status: ApplicationStatus
) -> None:
    application = sent(rw.world, [1])
    move(APPLICATION, application, S.CHECKING, actor=None)
    if status == S.CLARIFICATION_REQUESTED:
        move(APPLICATION, application, S.READY_FOR_REVIEW, actor=None)
        move(APPLICATION, application, S.CLARIFICATION_REQUESTED, actor=None)
    db.session.commit()

    with pytest.raises(decisions.DecisionRefused):
        admit(rw, application, 1)


def test_a_withdrawn_application_is_not_decided(rw: ReviewWorld) -> None:
    application = ready_for_review(rw.world, [1])
    submission.withdraw(application, reason="", actor=rw.owner, at=AT)

    with pytest.raises(decisions.DecisionRefused, match="withdrew"):
        admit(rw, application, 1)


def test_the_administrator_decides_whatever_the_checks_recommend(rw: ReviewWorld) -> None:
    application = ready_for_review(rw.world, [1], recommendation={1: "reject"})

    admit(rw, application, 1)

    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "application.lot_decided")
    ).one()
    assert event.after is not None
    assert event.after["outcome"] == "admitted"
    assert event.after["recommendation"] == "reject"
    assert event.actor_user_id == rw.officer.id


def test_a_rejected_supplier_may_apply_again_for_that_lot(rw: ReviewWorld) -> None:
    application = ready_for_review(rw.world, [1, 2])
    admit(rw, application, 1)
    reject(rw, application, 2)

    places = {
        a.lot.number: a for a in submission.lot_availability(rw.world.supplier.id, rw.world.dps)
    }
    assert places[2].available
    assert not places[1].available and places[1].admitted
    again = drafting.start_application(rw.world.supplier.id, [2], actor=rw.owner)
    assert again.supersedes_id == application.id


# --- the clock --------------------------------------------------------------------------------


def test_the_clock_is_extended_once_to_fifteen_working_days(rw: ReviewWorld) -> None:
    application = ready_for_review(rw.world, [1])
    assert application.submitted_at is not None
    received = london_date(application.submitted_at)
    first_due = application.decision_due_at
    assert first_due is not None

    decisions.extend_clock(
        application, "  Waiting on the insurer to confirm the cover.  ", actor=rw.officer, at=AT
    )

    db.session.refresh(application)
    assert application.clock_extended
    assert application.clock_extension_reason == "Waiting on the insurer to confirm the cover."
    assert application.decision_due_at == pcr2015.decision_due_at(
        application.submitted_at, extended=True
    )
    assert application.decision_due_at is not None
    assert working_days_between(received, london_date(application.decision_due_at)) == 15
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "application.clock_extended")
    ).one()
    assert event.before == {"decision_due_at": first_due.isoformat()}
    assert event.after is not None and "insurer" in event.after["justification"]
    (letter,) = [m for m in emails() if "more time" in m.subject]
    assert letter.recipient == rw.owner.email
    assert "Waiting on the insurer" in letter.payload["body"]

    with pytest.raises(decisions.DecisionRefused, match="cannot be extended again"):
        decisions.extend_clock(application, "More time still.", actor=rw.officer, at=AT)
    db.session.rollback()
    db.session.refresh(application)
    # Never beyond 15.
    assert working_days_between(received, london_date(application.decision_due_at)) == 15


def test_an_extension_needs_a_justification(rw: ReviewWorld) -> None:
    application = ready_for_review(rw.world, [1])
    with pytest.raises(decisions.DecisionRefused) as refused:
        decisions.extend_clock(application, "   ", actor=rw.officer, at=AT)
    assert refused.value.field == "justification"
    db.session.rollback()
    db.session.refresh(application)
    assert not application.clock_extended


def test_too_late_to_extend_once_the_ten_days_have_passed(rw: ReviewWorld) -> None:
    application = ready_for_review(rw.world, [1])
    assert application.decision_due_at is not None
    with pytest.raises(decisions.DecisionRefused, match="too late"):
        decisions.extend_clock(
            application,
            "We forgot.",
            actor=rw.officer,
            at=application.decision_due_at + timedelta(seconds=1),
        )


def test_a_decided_application_has_no_clock_to_extend(rw: ReviewWorld) -> None:
    application = ready_for_review(rw.world, [1])
    admit(rw, application, 1)
    with pytest.raises(decisions.DecisionRefused, match="not waiting for a decision"):
        decisions.extend_clock(application, "Too late.", actor=rw.officer, at=AT)
    assert not decisions.can_extend(application)
