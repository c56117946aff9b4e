"""Moderation: the lead alone, once every member has declared and every one who may score has
submitted; a score and a rationale for every question; the members' scores untouched; the
ranking reads the moderated scores and whether they are complete."""

from __future__ import annotations

import pytest

from dps.extensions import db
from dps.models import AuditEvent, PanelScore
from dps.models.evaluation import ModeratedScore
from dps.rules.enums import CallOffStatus
from dps.rules.refusals import NotAllowed, NotFound
from dps.services.evaluation import conflicts, moderation, scoring
from dps.services.evaluation.moderation import Typed
from tests.fixtures.calloffs_world import CallOffWorld
from tests.fixtures.evaluation_scoring import moderate_all, score_all, submit_all
from tests.fixtures.evaluation_world import EvaluationWorld, now, opened


@pytest.fixture
def ew(cw: CallOffWorld) -> EvaluationWorld:
    return opened(cw)


def _typed(ew: EvaluationWorld, score: str, rationale: str) -> dict[int, Typed]:
    return {q.id: Typed(score, rationale) for q in ew.call_off.questions}


def test_the_lead_waits_for_every_declaration_and_submission(ew: EvaluationWorld) -> None:
    tender = ew.tenders[0].id
    conflicts.declare(ew.call_off, ew.lead, False, "", now())
    with pytest.raises(NotAllowed, match="has not declared"):
        moderation.require_moderator(ew.call_off, ew.lead)
    conflicts.declare(ew.call_off, ew.member, False, "", now())
    score_all(ew, ew.lead)
    scoring.submit(ew.call_off, actor=ew.lead, at=now())
    assert moderation.waiting_for(ew.call_off) == [
        f"{ew.member.name} has not submitted their scores"
    ]
    with pytest.raises(NotAllowed, match="has not submitted"):
        moderation.save(ew.call_off, tender, _typed(ew, "3", "Agreed"), actor=ew.lead, at=now())


def test_a_conflicted_member_is_not_waited_for(ew: EvaluationWorld) -> None:
    conflicts.declare(ew.call_off, ew.lead, False, "", now())
    conflicts.declare(ew.call_off, ew.member, True, "Former employer", now())
    score_all(ew, ew.lead)
    scoring.submit(ew.call_off, actor=ew.lead, at=now())
    assert moderation.waiting_for(ew.call_off) == []
    moderation.require_moderator(ew.call_off, ew.lead)


def test_only_the_lead_moderates(ew: EvaluationWorld) -> None:
    submit_all(ew)
    tender = ew.tenders[0].id
    for person, why in (
        (ew.member, "Only the panel lead"),
        (ew.non_panel_buyer, "evaluation panel"),
        (ew.viewer, "evaluation panel"),
    ):
        with pytest.raises(NotAllowed, match=why):
            moderation.save(ew.call_off, tender, _typed(ew, "3", "x"), actor=person, at=now())
    with pytest.raises(NotFound):
        moderation.save(ew.call_off, 10_000, _typed(ew, "3", "x"), actor=ew.lead, at=now())


def test_a_score_and_a_rationale_for_every_question_all_problems_at_once(
    ew: EvaluationWorld,
) -> None:
    submit_all(ew)
    quality, social = ew.call_off.questions
    tender = ew.tenders[0]
    assert moderation.typed_for(ew.call_off, tender) == _typed(ew, "", "")  # nothing prefilled
    typed = {quality.id: Typed("", "Agreed"), social.id: Typed("9", "")}
    problems = moderation.save(ew.call_off, tender.id, typed, actor=ew.lead, at=now())
    assert [(p.message, p.field) for p in problems] == [
        ("Question 1: enter the moderated score", f"score-{quality.id}"),
        (
            "Question 2: the moderated score must be a whole number from 0 to 5",
            f"score-{social.id}",
        ),
        ("Question 2: enter the rationale for the moderated score", f"rationale-{social.id}"),
    ]
    assert moderation.moderated_scores(ew.call_off) == {}


def test_moderated_scores_leave_the_members_scores_and_feed_the_ranking(
    ew: EvaluationWorld,
) -> None:
    submit_all(ew)
    quality, social = ew.call_off.questions
    first = ew.tenders[0]
    side_by_side = moderation.members_scores(ew.call_off, first, actor=ew.lead)
    expected = sorted([(ew.lead.name, 3), (ew.member.name, 4)], key=lambda s: s[0].casefold())
    assert [(s.name, s.score) for s in side_by_side[quality.id]] == expected
    typed = {quality.id: Typed("4", "Method well evidenced"), social.id: Typed("3", "Agreed")}
    assert moderation.save(ew.call_off, first.id, typed, actor=ew.lead, at=now()) == []
    assert moderation.moderated_scores(ew.call_off) == {first.id: {quality.id: 4, social.id: 3}}
    ids = [t.id for t in ew.tenders]
    assert moderation.is_complete(ew.call_off, [first.id])
    assert not moderation.is_complete(ew.call_off, ids)
    status = moderation.status(ew.call_off, now(), actor=ew.lead)
    assert sorted((s.tender_id, s.moderated) for s in status) == sorted(
        [(first.id, 2)] + [(t.id, 0) for t in ew.tenders[1:]]
    )
    # Recorded again, with the score before in the audit event.
    typed[quality.id] = Typed("5", "On reflection, excellent")
    moderation.save(ew.call_off, first.id, typed, actor=ew.lead, at=now())
    events = db.session.scalars(
        db.select(AuditEvent)
        .where(AuditEvent.action == moderation.MODERATED_ACTION)
        .order_by(AuditEvent.id)
    ).all()
    assert len(events) == 3
    assert events[-1].before == {"score": 4, "rationale": "Method well evidenced"}
    assert events[-1].after is not None and events[-1].after["score"] == 5
    moderate_all(ew)
    assert moderation.is_complete(ew.call_off, ids)
    # The individual scores stay as they were.
    assert {s.score for s in db.session.scalars(db.select(PanelScore))} == {3, 4}


def test_once_ranked_the_moderated_scores_are_fixed(ew: EvaluationWorld) -> None:
    submit_all(ew)
    moderate_all(ew)
    ew.call_off.status = CallOffStatus.EVALUATED
    db.session.commit()
    with pytest.raises(NotAllowed, match="cannot be changed"):
        moderate_all(ew, 2)


def test_a_moderated_score_typed_after_thousands_of_zeros_is_read_as_its_number(
    ew: EvaluationWorld,
) -> None:
    submit_all(ew)
    first = ew.tenders[0]
    typed = _typed(ew, "0" * 5000 + "2", "Agreed")
    assert moderation.save(ew.call_off, first.id, typed, actor=ew.lead, at=now()) == []
    assert set(moderation.moderated_scores(ew.call_off)[first.id].values()) == {2}


def test_the_same_form_sent_twice_updates_the_scores_it_recorded(ew: EvaluationWorld) -> None:
    submit_all(ew)
    first = ew.tenders[0]
    typed = moderation.typed_for(ew.call_off, first)  # the form as first shown: empty
    assert (
        moderation.save(ew.call_off, first.id, _typed(ew, "4", "Agreed"), actor=ew.lead, at=now())
        == []
    )
    assert typed == _typed(ew, "", "")
    assert (
        moderation.save(
            ew.call_off, first.id, _typed(ew, "2", "Agreed again"), actor=ew.lead, at=now()
        )
        == []
    )
    rows = db.session.scalars(db.select(ModeratedScore)).all()
    assert sorted((r.score, r.rationale) for r in rows) == [(2, "Agreed again")] * 2
