"""Drafting: who may start a call-off (with the reason when not), scoped reads, and the plain
sections keeping what was typed with every problem at once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dps.extensions import db
from dps.models import AuditEvent
from dps.rules.enums import MembershipType, OrganisationKind, Role
from dps.rules.refusals import NotAllowed
from dps.services.calloffs import drafting
from dps.services.calloffs.drafting import CallOffNotFound, CallOffRefused
from tests.fixtures.calloffs_world import SENT_AT, CallOffWorld
from tests.fixtures.helpers import add_person


def test_a_buyer_starts_a_draft_with_a_reference(cw: CallOffWorld) -> None:
    call_off = drafting.start_draft(cw.council.id, cw.world.lots[1].id, actor=cw.buyer)
    assert call_off.reference == f"CCIN-CO-{call_off.id:06d}"
    assert drafting.get_for_organisation(call_off.id, cw.council.id) is call_off
    assert drafting.call_offs_for(cw.council.id) == [call_off]
    assert (
        db.session.scalar(db.select(AuditEvent.action).where(AuditEvent.object_type == "call_offs"))
        == "call_off.started"
    )


def test_another_organisations_call_off_is_not_found(cw: CallOffWorld) -> None:
    call_off = drafting.start_draft(cw.council.id, cw.world.lots[1].id, actor=cw.buyer)
    with pytest.raises(CallOffNotFound):
        drafting.get_for_organisation(call_off.id, cw.world.supplier.id)


def test_a_viewer_is_refused_and_may_not_change_a_draft(cw: CallOffWorld) -> None:
    with pytest.raises(CallOffRefused, match="Only buyers can run call-offs"):
        drafting.start_draft(cw.council.id, cw.world.lots[1].id, actor=cw.viewer)
    call_off = drafting.start_draft(cw.council.id, cw.world.lots[1].id, actor=cw.buyer)
    with pytest.raises(NotAllowed):
        drafting.save_details(call_off, {"title": "Mine now"}, actor=cw.viewer)


def test_an_organisation_that_is_not_a_contracting_authority_is_refused(cw: CallOffWorld) -> None:
    cw.council.is_contracting_authority = False
    db.session.commit()
    with pytest.raises(CallOffRefused, match="not a contracting authority"):
        drafting.start_draft(cw.council.id, cw.world.lots[1].id, actor=cw.buyer)


def test_an_affiliate_is_refused(cw: CallOffWorld) -> None:
    cw.council.membership_type = MembershipType.AFFILIATE
    db.session.commit()
    with pytest.raises(CallOffRefused, match="only Full and Associate members"):
        drafting.start_draft(cw.council.id, cw.world.lots[1].id, actor=cw.buyer)


def test_a_buyer_of_another_organisation_is_refused(cw: CallOffWorld) -> None:
    from dps.models import Organisation

    other = Organisation(
        name="Other Council", kind=OrganisationKind.MEMBER, membership_type=MembershipType.FULL
    )
    db.session.add(other)
    db.session.commit()
    outsider = add_person(other, "o@other.example.org", Role.BUYER)
    with pytest.raises(CallOffRefused, match="your own organisation"):
        drafting.start_draft(cw.council.id, cw.world.lots[1].id, actor=outsider)


def test_a_lot_of_no_dps_is_refused(cw: CallOffWorld) -> None:
    with pytest.raises(CallOffRefused) as refused:
        drafting.start_draft(cw.council.id, 999, actor=cw.buyer)
    assert refused.value.field == "lot"


def test_what_was_typed_is_kept_and_every_problem_named(cw: CallOffWorld) -> None:
    call_off = drafting.start_draft(cw.council.id, cw.world.lots[1].id, actor=cw.buyer)
    problems = drafting.save_value_and_dates(
        call_off,
        {"estimated_value": "lots", "contract_start": "31 2 2027", "contract_end": ""},
        actor=cw.buyer,
    )
    assert [(p.field, p.message) for p in problems] == [
        (
            "estimated_value",
            "The estimated value must be an amount of money, like 12500 or 12500.50",
        ),
        ("contract_start", "The contract start date must be a real date"),
        ("contract_end", "Enter the date the contract ends"),
    ]
    db.session.expire_all()
    typed = drafting.typed_values(call_off)
    assert typed["estimated_value"] == "lots"
    assert typed["contract_start"] == "31 2 2027"
    assert call_off.estimated_value_pence is None

    assert (
        drafting.save_value_and_dates(
            call_off,
            {
                "estimated_value": "£12,500.50",
                "contract_start": "1 3 2027",
                "contract_end": "2027-02-01",
            },
            actor=cw.buyer,
        )[0].message
        == "The contract end date must be after the start date"
    )
    assert call_off.estimated_value_pence == 1_250_050
    assert drafting.typed_values(call_off)["estimated_value"] == "12500.50"


def test_details_are_required(cw: CallOffWorld) -> None:
    call_off = drafting.start_draft(cw.council.id, cw.world.lots[1].id, actor=cw.buyer)
    problems = drafting.save_details(
        call_off, {"title": "x" * 201, "description": ""}, actor=cw.buyer
    )
    assert [p.field for p in problems] == ["title", "description", "delivery_location"]
    assert drafting.typed_values(call_off)["title"] == "x" * 201


def test_deadlines_typed_in_london_time_and_judged_for_sending_now(cw: CallOffWorld) -> None:
    call_off = drafting.start_draft(cw.council.id, cw.world.lots[1].id, actor=cw.buyer)
    problems = drafting.save_deadlines(
        call_off,
        {
            "clarification_deadline": {"date": "1 12 2026", "time": "17:00"},
            "tender_deadline": {"date": "5 12 2026", "time": "25:00"},
        },
        actor=cw.buyer,
        at=SENT_AT,
    )
    assert [p.field for p in problems] == ["tender_deadline"]
    assert call_off.clarification_deadline == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    problems = drafting.save_deadlines(
        call_off,
        {"tender_deadline": {"date": "5 12 2026", "time": "12:00"}},
        actor=cw.buyer,
        at=SENT_AT,
    )
    assert "at least 10 days after the invitations are sent" in problems[0].message
