"""Who may read and score opened tenders: panel members who declared no conflict; the lead
alone for the lead's work; nobody before the tenders are opened."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dps.extensions import db
from dps.rules.refusals import NotAllowed
from dps.services.evaluation import panel_roles
from tests.fixtures.calloffs_world import SENT_AT, CallOffWorld, ready_draft
from tests.fixtures.evaluation_world import EvaluationWorld, now, opened


@pytest.fixture
def ew(cw: CallOffWorld) -> EvaluationWorld:
    return opened(cw)


def _declare(ew: EvaluationWorld, conflict: bool) -> None:
    for member in ew.call_off.panel:
        member.declared_at = now()
        member.has_conflict = conflict and not member.is_lead
        member.conflict_reason = "My sister runs tenderer 1" if member.has_conflict else None
    db.session.commit()


def test_nobody_reads_or_scores_before_declaring(ew: EvaluationWorld) -> None:
    for person in (ew.lead, ew.member):
        with pytest.raises(NotAllowed, match="Declare whether you have a conflict"):
            panel_roles.require_evaluator(ew.call_off, person)


def test_a_buyer_off_the_panel_and_a_viewer_are_refused(ew: EvaluationWorld) -> None:
    _declare(ew, conflict=False)
    for person in (ew.non_panel_buyer, ew.viewer):
        with pytest.raises(NotAllowed, match="Only the call-off’s evaluation panel"):
            panel_roles.require_evaluator(ew.call_off, person)


def test_declared_members_evaluate_and_only_the_lead_leads(ew: EvaluationWorld) -> None:
    _declare(ew, conflict=False)
    assert panel_roles.require_evaluator(ew.call_off, ew.member).user_id == ew.member.id
    assert panel_roles.require_lead(ew.call_off, ew.lead).is_lead
    with pytest.raises(NotAllowed, match="Only the panel lead"):
        panel_roles.require_lead(ew.call_off, ew.member)


def test_a_declared_conflict_takes_a_member_off_the_panel(ew: EvaluationWorld) -> None:
    _declare(ew, conflict=True)
    with pytest.raises(NotAllowed, match="declared a conflict of interest"):
        panel_roles.require_evaluator(ew.call_off, ew.member)
    assert panel_roles.member_for(ew.call_off, ew.member) is not None  # kept as the record


def test_nothing_before_the_tenders_are_opened(cw: CallOffWorld) -> None:
    draft = ready_draft(cw, at=SENT_AT - timedelta(days=1))
    with pytest.raises(NotAllowed, match="not been opened"):
        panel_roles.require_evaluator(draft, cw.buyer)


def test_while_the_panel_can_evaluate_only_the_lead_decides(ew: EvaluationWorld) -> None:
    _declare(ew, conflict=True)  # the member is conflicted, the lead is not
    assert not panel_roles.nobody_can_evaluate(ew.call_off)
    panel_roles.require_decider(ew.call_off, ew.lead)
    for person in (ew.member, ew.non_panel_buyer, ew.viewer):
        with pytest.raises(NotAllowed):
            panel_roles.require_decider(ew.call_off, person)


def test_when_the_lead_is_conflicted_a_buyer_free_of_conflict_decides(ew: EvaluationWorld) -> None:
    # The lead declared a conflict with nobody to take over; the other member has not declared.
    lead = ew.call_off.panel_lead
    assert lead is not None
    lead.declared_at, lead.has_conflict, lead.conflict_reason = now(), True, "Former employer"
    db.session.commit()
    assert panel_roles.nobody_can_evaluate(ew.call_off)
    panel_roles.require_decider(ew.call_off, ew.non_panel_buyer)
    panel_roles.require_decider(ew.call_off, ew.member)  # no conflict declared
    panel_roles.require_letters_reader(ew.call_off, ew.non_panel_buyer)
    with pytest.raises(NotAllowed, match="declared a conflict"):
        panel_roles.require_decider(ew.call_off, ew.lead)
    with pytest.raises(NotAllowed, match="has not declared a conflict"):
        panel_roles.require_decider(ew.call_off, ew.viewer)
