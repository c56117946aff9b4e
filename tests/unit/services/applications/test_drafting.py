"""Drafting an application: which lots an organisation may apply for (held by an undecided
application or an admission, free again once decided, withdrawn or removed), one draft at a
time, lots of the DPS only, a draft prepared while the DPS is closed, a sent application's lots
fixed, and what a new application may follow."""

from __future__ import annotations

from datetime import date

import pytest

from dps.extensions import db
from dps.models import Application, AuditEvent
from dps.rules.enums import AdmissionStatus, ApplicationStatus, LotOutcome
from dps.services.applications import drafting
from dps.services.applications.drafting import ApplicationError, ApplicationLocked
from tests.fixtures.application_world import (
    World,
    admit,
    complete_everything,
    earlier_application,
    ready_to_send,
)

# --- drafting while closed ------------------------------------------------------------------
from tests.fixtures.applying import (
    S,
    refusal,
    submit,
)

pytestmark = pytest.mark.usefixtures("checks_not_installed")


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
        drafting.start_application(world.supplier.id, [1, 2], actor=world.owner)
    assert refused.value.message == (
        f"You cannot apply for Lot 1 until we have decided your application {earlier.reference}."
    )
    assert drafting.current_draft(world.supplier.id) is None

    for_lot_2 = drafting.start_application(world.supplier.id, [2], actor=world.owner)
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
        drafting.start_application(world.supplier.id, [1], actor=world.owner)
    assert refused.value.message == (
        "You are already admitted to Lot 1. Choose a lot you are not in yet."
    )
    availability = drafting.lot_availability(world.supplier.id, world.dps)
    assert [(a.lot.number, a.available) for a in availability] == [(1, False), (2, True)]

    draft = drafting.start_application(world.supplier.id, [2], actor=world.owner)
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
    draft = drafting.start_application(world.supplier.id, [1], actor=world.owner)
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
    first = drafting.start_application(world.supplier.id, [1], actor=world.owner)
    second = drafting.start_application(world.supplier.id, [2], actor=world.owner)
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
        drafting.start_application(world.supplier.id, lots, actor=world.owner)
    assert refused.value.message == message


def test_applications_are_found_only_by_their_own_organisation(world: World) -> None:
    draft = drafting.start_application(world.supplier.id, [1], actor=world.owner)
    assert drafting.get_application(draft.id, world.supplier.id) is draft
    assert drafting.get_application(draft.id, world.rival.id) is None


# --- after sending ---------------------------------------------------------------------------


def test_a_sent_application_cannot_change_its_lots(world: World) -> None:
    draft = ready_to_send(world, [1])
    submit(world, draft)
    with pytest.raises(ApplicationLocked):
        drafting.change_lots(draft, [1, 2], actor=world.owner)


def test_a_new_application_follows_only_one_that_is_over(world: World) -> None:
    undecided = earlier_application(world, [2], S.READY_FOR_REVIEW)
    with pytest.raises(ApplicationError) as refused:
        drafting.start_application(world.supplier.id, [1], actor=world.owner, follows=undecided)
    assert refused.value.message == (
        "A new application can only follow one that has been decided or withdrawn."
    )
    withdrawn = earlier_application(world, [2], S.WITHDRAWN)
    draft = drafting.start_application(world.supplier.id, [1], actor=world.owner, follows=withdrawn)
    assert draft.supersedes_id == withdrawn.id
