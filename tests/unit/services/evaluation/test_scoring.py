"""Independent scoring: every answer of every opened tender, on the question's scale, with a
justification for each score; every problem at once; submitted once, then fixed; nobody sees
another member's scores until they have submitted all theirs, and never unsubmitted ones."""

from __future__ import annotations

import pytest

from dps.extensions import db
from dps.models import AuditEvent, PanelScore
from dps.rules.refusals import NotAllowed, NotFound
from dps.services.awards import awarding
from dps.services.evaluation import conflicts, panel_roles, scoring
from dps.services.evaluation.scoring import Typed
from tests.fixtures.calloffs_world import CallOffWorld
from tests.fixtures.evaluation_scoring import declare_all, score_all
from tests.fixtures.evaluation_world import EvaluationWorld, now, opened


@pytest.fixture
def ew(cw: CallOffWorld) -> EvaluationWorld:
    return opened(cw)


def _scores() -> list[tuple[int | None, str]]:
    return [(s.score, s.justification) for s in db.session.scalars(db.select(PanelScore))]


def test_scoring_needs_a_declaration_of_no_conflict(ew: EvaluationWorld) -> None:
    quality, _ = ew.call_off.questions
    typed = {quality.id: Typed("3", "Clear method")}
    tender = ew.tenders[0].id
    with pytest.raises(NotAllowed, match="Declare whether"):
        scoring.save(ew.call_off, tender, typed, actor=ew.member, at=now())
    for person in (ew.non_panel_buyer, ew.viewer):
        with pytest.raises(NotAllowed, match="evaluation panel"):
            scoring.save(ew.call_off, tender, typed, actor=person, at=now())
    conflicts.declare(ew.call_off, ew.member, True, "A friend's firm", now())
    with pytest.raises(NotAllowed, match="You declared a conflict"):
        scoring.save(ew.call_off, tender, typed, actor=ew.member, at=now())
    assert _scores() == []


def test_every_problem_is_reported_at_once_and_nothing_is_saved(ew: EvaluationWorld) -> None:
    declare_all(ew)
    quality, social = ew.call_off.questions
    tender = ew.tenders[0].id
    typed = {quality.id: Typed("6", "Too generous"), social.id: Typed("2.5", "")}
    problems = scoring.save(ew.call_off, tender, typed, actor=ew.member, at=now())
    assert [(p.message, p.field) for p in problems] == [
        ("Question 1: the score must be a whole number from 0 to 5", f"score-{quality.id}"),
        ("Question 2: the score must be a whole number from 0 to 5", f"score-{social.id}"),
        ("Question 2: enter why you gave this score", f"justification-{social.id}"),
    ]
    assert _scores() == []
    with pytest.raises(NotFound):
        scoring.save(ew.call_off, 10_000, typed, actor=ew.member, at=now())


def test_a_member_saves_as_they_go_with_blanks_allowed(ew: EvaluationWorld) -> None:
    declare_all(ew)
    quality, social = ew.call_off.questions
    tender = ew.tenders[0]
    typed = {quality.id: Typed(" 4 ", " Strong method "), social.id: Typed("", "")}
    assert scoring.save(ew.call_off, tender.id, typed, actor=ew.member, at=now()) == []
    member = panel_roles.require_evaluator(ew.call_off, ew.member)
    assert scoring.typed_for(ew.call_off, tender, member) == {
        quality.id: Typed("4", "Strong method"),
        social.id: Typed("", ""),
    }
    progress = scoring.progress(ew.call_off, member, now())
    assert [(p.tender_id, p.scored) for p in progress] == [
        (tender.id, 1),
        (ew.tenders[1].id, 0),
        (ew.tenders[2].id, 0),
    ]
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == scoring.SAVED_ACTION)
    ).one()
    assert event.after == {
        "panel_member_id": member.id,
        "tender_id": tender.id,
        "scores": {str(quality.id): 4, str(social.id): None},
    }


def test_submitting_is_refused_until_every_answer_is_scored_then_fixed(
    ew: EvaluationWorld,
) -> None:
    declare_all(ew)
    quality, social = ew.call_off.questions
    first = ew.tenders[0]
    typed = {quality.id: Typed("4", "Strong"), social.id: Typed("", "")}
    scoring.save(ew.call_off, first.id, typed, actor=ew.member, at=now())
    problems = scoring.submit(ew.call_off, actor=ew.member, at=now())
    assert len(problems) == 2 * 3 - 1
    assert f"Score and justify {first.organisation.name}: question 2" in [
        p.message for p in problems
    ]
    score_all(ew, ew.member)
    assert scoring.submit(ew.call_off, actor=ew.member, at=now()) == []
    member = panel_roles.require_evaluator(ew.call_off, ew.member)
    assert member.scores_submitted_at == now()
    with pytest.raises(NotAllowed, match="cannot be changed"):
        scoring.save(ew.call_off, first.id, typed, actor=ew.member, at=now())
    with pytest.raises(NotAllowed, match="cannot be changed"):
        scoring.submit(ew.call_off, actor=ew.member, at=now())
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == scoring.SUBMITTED_ACTION)
    ).one()
    assert event.actor_user_id == ew.member.id and event.after is not None
    assert set(event.after["scores"].values()) == {3}


def test_others_scores_are_seen_only_once_both_have_submitted(ew: EvaluationWorld) -> None:
    declare_all(ew)
    score_all(ew, ew.lead, 2)
    score_all(ew, ew.member, 5)
    for person in (ew.lead, ew.member):
        with pytest.raises(NotAllowed, match="Submit all your scores before"):
            scoring.others_scores(ew.call_off, person)
        mine = scoring.visible_scores(ew.call_off, person)
        assert {s.panel_member.user_id for s in mine} == {person.id}
    scoring.submit(ew.call_off, actor=ew.member, at=now())
    # The member has submitted; the lead has not, so the lead's scores stay hidden from them.
    assert scoring.others_scores(ew.call_off, ew.member) == []
    with pytest.raises(NotAllowed):
        scoring.others_scores(ew.call_off, ew.lead)
    scoring.submit(ew.call_off, actor=ew.lead, at=now())
    seen = scoring.others_scores(ew.call_off, ew.member)
    assert len(seen) == 6 and {s.score for s in seen} == {2}
    assert {s.score for s in scoring.others_scores(ew.call_off, ew.lead)} == {5}


def test_nobody_scores_or_submits_once_the_lead_decided_not_to_award(
    ew: EvaluationWorld,
) -> None:
    declare_all(ew)
    score_all(ew, ew.member, 2)
    assert (
        awarding.decide_no_award(ew.call_off, reasons="No longer needed", actor=ew.lead, at=now())
        == []
    )
    quality, social = ew.call_off.questions
    typed = {quality.id: Typed("5", "Changed my mind"), social.id: Typed("5", "And here")}
    for person in (ew.lead, ew.member):
        with pytest.raises(NotAllowed, match="evaluation of this call-off has finished"):
            scoring.save(ew.call_off, ew.tenders[0].id, typed, actor=person, at=now())
        with pytest.raises(NotAllowed, match="evaluation of this call-off has finished"):
            scoring.submit(ew.call_off, actor=person, at=now())
    assert {score for score, _ in _scores()} == {2}
    member = panel_roles.require_evaluator(ew.call_off, ew.member)
    assert member.scores_submitted_at is None


def test_a_score_typed_after_thousands_of_zeros_is_read_as_its_number(
    ew: EvaluationWorld,
) -> None:
    declare_all(ew)
    quality, social = ew.call_off.questions
    typed = {quality.id: Typed("0" * 5000 + "3", "Clear"), social.id: Typed("", "")}
    assert scoring.save(ew.call_off, ew.tenders[0].id, typed, actor=ew.member, at=now()) == []
    assert _scores() == [(3, "Clear"), (None, "")]
