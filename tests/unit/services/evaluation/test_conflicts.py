"""Conflicts of interest (reg. 24): each panel member declares once, after the opening and
before reading any tender; a conflict needs its reason and takes the member off the panel;
a lead who declares one hands the lead to another member in the same declaration."""

from __future__ import annotations

import pytest

from dps.extensions import db
from dps.models import AuditEvent
from dps.rules.refusals import NotAllowed
from dps.services.awards import awarding
from dps.services.calloffs import sealing
from dps.services.evaluation import conflicts, panel_roles
from tests.fixtures.calloffs_world import CallOffWorld, ready_draft
from tests.fixtures.evaluation_world import EvaluationWorld, now, opened


@pytest.fixture
def ew(cw: CallOffWorld) -> EvaluationWorld:
    return opened(cw)


def _events() -> list[AuditEvent]:
    return list(
        db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == conflicts.DECLARED_ACTION)
        )
    )


def test_a_member_sees_the_bidders_and_declares_no_conflict_once(ew: EvaluationWorld) -> None:
    names = conflicts.bidders(ew.call_off, now(), actor=ew.member)
    assert names == sorted(t.organisation.name for t in ew.tenders)
    assert conflicts.declare(ew.call_off, ew.member, False, "", now()) == []
    member = panel_roles.require_evaluator(ew.call_off, ew.member)
    assert member.declared_at == now() and member.has_conflict is False
    [event] = _events()
    assert event.actor_user_id == ew.member.id and event.object_id == str(ew.call_off.id)
    assert event.after is not None and event.after["has_conflict"] is False
    with pytest.raises(NotAllowed, match="already declared"):
        conflicts.declare(ew.call_off, ew.member, True, "Changed my mind", now())
    assert len(_events()) == 1


def test_a_conflict_needs_its_reason_and_takes_the_member_off_the_panel(
    ew: EvaluationWorld,
) -> None:
    problems = conflicts.declare(ew.call_off, ew.member, True, "  ", now())
    assert [(p.message, p.field) for p in problems] == [
        ("Enter what your conflict of interest is", "reason")
    ]
    assert conflicts.declare(ew.call_off, ew.member, None, "", now())[0].field == "has_conflict"
    assert panel_roles.member_for(ew.call_off, ew.member).declared_at is None  # nothing kept
    reason = "My brother runs tenderer 1"
    assert conflicts.declare(ew.call_off, ew.member, True, reason, now()) == []
    with pytest.raises(NotAllowed, match="You declared a conflict"):
        panel_roles.require_evaluator(ew.call_off, ew.member)
    [event] = _events()
    assert event.after is not None and event.after["reason"] == "My brother runs tenderer 1"
    assert [d.state for d in conflicts.declarations(ew.call_off)] == [
        "Not declared yet",
        "Declared a conflict of interest",
    ]


def test_a_conflicted_lead_hands_the_lead_to_another_member(ew: EvaluationWorld) -> None:
    problems = conflicts.declare(ew.call_off, ew.lead, True, "I used to work there", now())
    assert [(p.message, p.field) for p in problems] == [
        ("Select who will lead the panel instead", "new_lead")
    ]
    other = panel_roles.member_for(ew.call_off, ew.member)
    assert other is not None
    assert conflicts.possible_leads(ew.call_off, ew.lead) == [other]
    done = conflicts.declare(
        ew.call_off, ew.lead, True, "I used to work there", now(), new_lead_id=other.id
    )
    assert done == []
    assert other.is_lead and not panel_roles.member_for(ew.call_off, ew.lead).is_lead
    [event] = _events()
    assert event.after is not None and event.after["lead_handed_to_user_id"] == ew.member.id
    # The new lead declares too, before leading; with nobody left, a conflict is still recorded.
    assert conflicts.declare(ew.call_off, ew.member, True, "Also conflicted", now()) == []
    assert conflicts.nobody_can_evaluate(ew.call_off)


def test_people_off_the_panel_and_sealed_tenders_are_refused(
    ew: EvaluationWorld, cw: CallOffWorld
) -> None:
    for person in (ew.non_panel_buyer, ew.viewer):
        with pytest.raises(NotAllowed, match="Only the call-off’s evaluation panel"):
            conflicts.declare(ew.call_off, person, False, "", now())
        with pytest.raises(NotAllowed):
            conflicts.bidders(ew.call_off, now(), actor=person)
    sealed = ready_draft(cw)
    assert not sealing.is_opened(sealed)
    with pytest.raises(NotAllowed, match="not been opened"):
        conflicts.declare(sealed, cw.buyer, False, "", now())


def test_nobody_declares_once_the_lead_decided_not_to_award(ew: EvaluationWorld) -> None:
    assert conflicts.declare(ew.call_off, ew.lead, False, "", now()) == []
    assert (
        awarding.decide_no_award(ew.call_off, reasons="No longer needed", actor=ew.lead, at=now())
        == []
    )
    with pytest.raises(NotAllowed, match="evaluation of this call-off has finished"):
        conflicts.declare(ew.call_off, ew.member, False, "", now())
    assert panel_roles.member_for(ew.call_off, ew.member).declared_at is None
    assert len(_events()) == 1


def test_the_lead_cannot_hand_over_to_a_member_who_has_declared_a_conflict(
    ew: EvaluationWorld,
) -> None:
    other = panel_roles.member_for(ew.call_off, ew.member)
    assert other is not None
    # The lead's form offered the member; the member declared a conflict before it was sent.
    assert conflicts.declare(ew.call_off, ew.member, True, "My sister's firm", now()) == []
    problems = conflicts.declare(
        ew.call_off, ew.lead, True, "I used to work there", now(), new_lead_id=other.id
    )
    assert [(p.message, p.field) for p in problems] == [
        (
            f"{ew.member.name} has declared a conflict of interest, so cannot lead the panel",
            "has_conflict",
        )
    ]
    lead = panel_roles.member_for(ew.call_off, ew.lead)
    assert lead.is_lead and lead.declared_at is None and not other.is_lead
    # Declared again with nobody to hand to, the lead's conflict is recorded.
    assert conflicts.declare(ew.call_off, ew.lead, True, "I used to work there", now()) == []
    assert conflicts.nobody_can_evaluate(ew.call_off)
