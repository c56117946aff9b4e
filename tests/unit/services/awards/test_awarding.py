"""Finishing the evaluation and deciding the award, by the panel lead: the call-off and its
tenders move along their lifecycles, audited; the proposal is the highest ranked; another
choice, the advantages and the standstill are checked all at once; a decision not to award
keeps its reasons."""

from __future__ import annotations

import pytest

from dps.extensions import db
from dps.models import AuditEvent
from dps.models.awards import AwardOutcome, LetterKind
from dps.rules.enums import CallOffStatus, TenderStatus
from dps.rules.refusals import NotAllowed, NotFound
from dps.services.awards import awarding
from tests.fixtures.award_world import (
    LOW_PRICES,
    declared,
    evaluated,
    moderate,
    ready,
    reject_low_price,
)
from tests.fixtures.calloffs_world import CallOffWorld
from tests.fixtures.evaluation_world import EvaluationWorld, now, opened


def _award(ew: EvaluationWorld, **changes: object) -> list[str]:
    answers: dict[str, object] = {
        "tender_id": None,
        "other_reason": "",
        "advantages": "The strongest method",
        "standstill": "yes",
        "standstill_days": "",
    }
    answers.update(changes)
    problems = awarding.decide_award(ew.call_off, actor=ew.lead, at=now(), **answers)  # type: ignore[arg-type]
    return [p.field or "" for p in problems]


# --- finishing the evaluation -------------------------------------------------------------------


def test_finishing_the_evaluation_scores_the_ranked_tenders(cw: CallOffWorld) -> None:
    ew = ready(cw)
    awarding.finish_evaluation(ew.call_off, actor=ew.lead, at=now())
    assert ew.call_off.status == CallOffStatus.EVALUATED
    assert {t.status for t in ew.tenders} == {TenderStatus.SCORED}
    event = db.session.query(AuditEvent).filter_by(action="call_off.evaluated").one()
    assert event.actor_user_id == ew.lead.id
    assert event.after["proposed_tender_id"] == ew.tenders[0].id


def test_a_rejected_tender_is_unsuccessful_when_the_evaluation_finishes(cw: CallOffWorld) -> None:
    ew = moderate(declared(opened(cw, LOW_PRICES)))
    reject_low_price(ew)
    awarding.finish_evaluation(ew.call_off, actor=ew.lead, at=now())
    assert [t.status for t in ew.tenders] == [
        TenderStatus.SCORED,
        TenderStatus.SCORED,
        TenderStatus.UNSUCCESSFUL,
    ]


def test_the_evaluation_waits_for_every_moderated_score(cw: CallOffWorld) -> None:
    ew = ready(cw, scores=((5, 4), None, (2, 2)))
    with pytest.raises(awarding.AwardRefused, match="2 scores are not moderated"):
        awarding.finish_evaluation(ew.call_off, actor=ew.lead, at=now())
    assert ew.call_off.status == CallOffStatus.CLOSED


def test_the_evaluation_waits_for_every_flagged_price_to_be_decided(cw: CallOffWorld) -> None:
    ew = moderate(declared(opened(cw, LOW_PRICES)))
    with pytest.raises(awarding.AwardRefused, match="abnormally low price: 1 is not decided"):
        awarding.finish_evaluation(ew.call_off, actor=ew.lead, at=now())


@pytest.mark.parametrize("who", ["member", "non_panel_buyer", "viewer"])
def test_only_the_lead_finishes_the_evaluation(cw: CallOffWorld, who: str) -> None:
    ew = ready(cw)
    with pytest.raises(NotAllowed):
        awarding.finish_evaluation(ew.call_off, actor=getattr(ew, who), at=now())
    assert ew.call_off.status == CallOffStatus.CLOSED


def test_the_evaluation_finishes_once(cw: CallOffWorld) -> None:
    ew = evaluated(cw)
    with pytest.raises(awarding.AwardRefused, match="already finished"):
        awarding.finish_evaluation(ew.call_off, actor=ew.lead, at=now())


# --- the award ----------------------------------------------------------------------------------


def test_the_proposed_tender_is_awarded_with_the_frozen_ranking(cw: CallOffWorld) -> None:
    ew = evaluated(cw)
    assert _award(ew) == []
    award = awarding.award_for(ew.call_off)
    assert award is not None and award.outcome == AwardOutcome.AWARD
    assert award.tender_id == award.proposed_tender_id == ew.tenders[0].id
    assert award.other_choice_reason is None
    assert award.standstill_days == 10  # "yes" with no days given: the minimum
    assert award.ranking["rows"][0]["tender_id"] == ew.tenders[0].id
    assert ew.call_off.status == CallOffStatus.AWARDED
    assert [t.status for t in ew.tenders] == [
        TenderStatus.SUCCESSFUL,
        TenderStatus.UNSUCCESSFUL,
        TenderStatus.UNSUCCESSFUL,
    ]
    event = db.session.query(AuditEvent).filter_by(action="call_off.awarded").one()
    assert event.after["advantages"] == "The strongest method"
    # The letters are frozen with the decision, one per bidder, none sent yet.
    assert sorted((letter.tender_id, letter.kind) for letter in award.letters) == [
        (ew.tenders[0].id, LetterKind.SUCCESSFUL),
        (ew.tenders[1].id, LetterKind.UNSUCCESSFUL),
        (ew.tenders[2].id, LetterKind.UNSUCCESSFUL),
    ]
    assert all(letter.sent_at is None for letter in award.letters)


def test_choosing_another_tender_needs_a_reason(cw: CallOffWorld) -> None:
    ew = evaluated(cw)
    assert _award(ew, tender_id=ew.tenders[1].id) == ["other_reason"]
    assert awarding.award_for(ew.call_off) is None
    assert (
        _award(ew, tender_id=ew.tenders[1].id, other_reason="Tender 1 cannot start in time") == []
    )
    award = awarding.award_for(ew.call_off)
    assert award is not None
    assert (award.tender_id, award.proposed_tender_id) == (ew.tenders[1].id, ew.tenders[0].id)
    assert award.other_choice_reason == "Tender 1 cannot start in time"


# The tie-break cannot separate tenders 1 and 2: the same price and the same scores.
TIED_PRICES = ("30000", "30000", "40000")
TIED_SCORES = ((4, 4), (4, 4), (2, 2))


def test_a_tie_at_the_top_proposes_nothing_and_the_lead_chooses_with_a_reason(
    cw: CallOffWorld,
) -> None:
    ew = evaluated(cw, prices=TIED_PRICES, scores=TIED_SCORES)
    from dps.services.evaluation import ranking

    current = ranking.current(ew.call_off)
    assert current.proposed_tender_id is None
    assert current.tied_top == [ew.tenders[0].id, ew.tenders[1].id]
    event = db.session.query(AuditEvent).filter_by(action="call_off.evaluated").one()
    assert event.after["proposed_tender_id"] is None
    # Nothing chosen: refused, never the first in the list.
    assert _award(ew) == ["tender_id", "other_reason"]
    # Either tied tender needs the reason.
    assert _award(ew, tender_id=ew.tenders[0].id) == ["other_reason"]
    assert _award(ew, tender_id=ew.tenders[1].id) == ["other_reason"]
    assert awarding.award_for(ew.call_off) is None
    assert _award(ew, tender_id=ew.tenders[1].id, other_reason="Can start a month sooner") == []
    award = awarding.award_for(ew.call_off)
    assert award is not None and award.proposed_tender_id is None
    assert award.tender_id == ew.tenders[1].id
    assert award.other_choice_reason == "Can start a month sooner"


def test_every_problem_comes_back_at_once(cw: CallOffWorld) -> None:
    ew = evaluated(cw)
    assert _award(ew, tender_id=ew.tenders[2].id, advantages="", standstill="") == [
        "other_reason",
        "advantages",
        "standstill",
    ]


@pytest.mark.parametrize(("days", "kept"), [("14", 14), ("10", 10)])
def test_a_longer_standstill_may_be_chosen(cw: CallOffWorld, days: str, kept: int) -> None:
    ew = evaluated(cw)
    assert _award(ew, standstill_days=days) == []
    award = awarding.award_for(ew.call_off)
    assert award is not None and award.standstill_days == kept


@pytest.mark.parametrize("days", ["9", "0", "ten"])
def test_a_standstill_shorter_than_ten_days_is_refused(cw: CallOffWorld, days: str) -> None:
    ew = evaluated(cw)
    assert _award(ew, standstill_days=days) == ["standstill_days"]


def test_no_standstill_may_be_chosen(cw: CallOffWorld) -> None:
    ew = evaluated(cw)
    assert _award(ew, standstill="no", standstill_days="3") == []
    award = awarding.award_for(ew.call_off)
    assert award is not None and award.standstill_days is None


def test_a_rejected_tender_cannot_be_awarded(cw: CallOffWorld) -> None:
    ew = moderate(declared(opened(cw, LOW_PRICES)))
    reject_low_price(ew)
    awarding.finish_evaluation(ew.call_off, actor=ew.lead, at=now())
    assert _award(ew, tender_id=ew.tenders[2].id, other_reason="Cheapest") == ["tender_id"]


def test_a_tender_of_another_call_off_is_not_found(cw: CallOffWorld) -> None:
    ew = evaluated(cw)
    with pytest.raises(NotFound):
        _award(ew, tender_id=999_999, other_reason="x")


@pytest.mark.parametrize("who", ["member", "non_panel_buyer", "viewer"])
def test_only_the_lead_decides_the_award(cw: CallOffWorld, who: str) -> None:
    ew = evaluated(cw)
    with pytest.raises(NotAllowed):
        awarding.decide_award(
            ew.call_off,
            tender_id=None,
            advantages="x",
            standstill="no",
            actor=getattr(ew, who),
            at=now(),
        )
    with pytest.raises(NotAllowed):
        awarding.decide_no_award(ew.call_off, reasons="x", actor=getattr(ew, who), at=now())


def test_the_award_waits_for_the_evaluation_and_is_decided_once(cw: CallOffWorld) -> None:
    ew = ready(cw)
    with pytest.raises(NotAllowed, match="Finish the evaluation"):
        _award(ew)
    awarding.finish_evaluation(ew.call_off, actor=ew.lead, at=now())
    assert _award(ew) == []
    with pytest.raises(NotAllowed, match="already been decided"):
        _award(ew)
    with pytest.raises(NotAllowed, match="already been decided"):
        awarding.decide_no_award(ew.call_off, reasons="x", actor=ew.lead, at=now())


# --- no award -----------------------------------------------------------------------------------


@pytest.mark.parametrize("finish_first", [False, True])
def test_a_decision_not_to_award_keeps_its_reasons(cw: CallOffWorld, finish_first: bool) -> None:
    ew = evaluated(cw) if finish_first else ready(cw, scores=((5, 4), None, None))
    assert [
        p.field for p in awarding.decide_no_award(ew.call_off, reasons=" ", actor=ew.lead, at=now())
    ] == ["reasons"]
    assert (
        awarding.decide_no_award(
            ew.call_off, reasons="The budget was withdrawn", actor=ew.lead, at=now()
        )
        == []
    )
    award = awarding.award_for(ew.call_off)
    assert award is not None and award.outcome == AwardOutcome.NO_AWARD
    assert award.no_award_reasons == "The budget was withdrawn"
    assert award.tender_id is None
    assert ew.call_off.status == CallOffStatus.NOT_AWARDED
    assert {t.status for t in ew.tenders} == {TenderStatus.UNSUCCESSFUL}
    event = db.session.query(AuditEvent).filter_by(action="call_off.not_awarded").one()
    assert event.after["reasons"] == "The budget was withdrawn"
    assert {letter.kind for letter in award.letters} == {LetterKind.NO_AWARD}
    assert len(award.letters) == len(ew.tenders)
