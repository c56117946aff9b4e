"""Prices of opened tenders and the review of a possibly abnormally low price (reg. 69): the
flag at the call-off's share, reviews kept once, the lead alone deciding, every problem at once,
a decision final and audited."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dps.extensions import db
from dps.models import AuditEvent
from dps.models.evaluation import PriceReview, PriceReviewDecision
from dps.rules.refusals import NotAllowed, NotFound
from dps.services.evaluation import pricing
from tests.fixtures.award_world import LOW_PRICES, declared
from tests.fixtures.calloffs_world import CallOffWorld
from tests.fixtures.evaluation_world import EvaluationWorld, now, opened


@pytest.fixture
def ew(cw: CallOffWorld) -> EvaluationWorld:
    return declared(opened(cw, LOW_PRICES))


def _decide(ew: EvaluationWorld, **changes: object) -> list[str]:
    answers: dict[str, object] = {
        "asked_on": now().date(),
        "explanation": "Our staff are already on site",
        "decision": "accepted",
        "reason": "The saving is explained by staff already nearby",
    }
    answers.update(changes)
    problems = pricing.record_decision(
        ew.call_off,
        ew.tenders[2].id,
        actor=ew.lead,
        at=now(),
        **answers,  # type: ignore[arg-type]
    )
    return [p.field or "" for p in problems]


def test_a_tenders_price_is_the_total_of_its_lines(ew: EvaluationWorld) -> None:
    assert pricing.prices(ew.call_off) == {
        ew.tenders[0].id: 4_000_000,
        ew.tenders[1].id: 3_000_000,
        ew.tenders[2].id: 2_000_000,
    }


def test_a_price_far_below_the_others_is_flagged_at_the_call_offs_share(
    ew: EvaluationWorld,
) -> None:
    assert pricing.flagged(ew.call_off) == {ew.tenders[2].id}
    ew.call_off.abnormally_low_percent = 50
    db.session.commit()
    assert pricing.flagged(ew.call_off) == set()


def test_the_lead_opening_the_page_keeps_one_review_per_flag_once(ew: EvaluationWorld) -> None:
    first = pricing.open_reviews(ew.call_off, actor=ew.lead, at=now())
    again = pricing.open_reviews(ew.call_off, actor=ew.lead, at=now() + timedelta(hours=1))
    assert [r.id for r in first] == [r.id for r in again]
    (review,) = first
    assert review.tender_id == ew.tenders[2].id
    assert (review.price_pence, review.average_of_others_pence) == (2_000_000, 3_500_000)
    assert review.threshold_percent == 30
    assert db.session.query(PriceReview).count() == 1
    events = db.session.query(AuditEvent).filter_by(action="price_review.flagged").all()
    assert len(events) == 1


@pytest.mark.parametrize("who", ["member", "non_panel_buyer", "viewer"])
def test_only_the_lead_reviews_prices(ew: EvaluationWorld, who: str) -> None:
    with pytest.raises(NotAllowed):
        pricing.open_reviews(ew.call_off, actor=getattr(ew, who), at=now())
    pricing.open_reviews(ew.call_off, actor=ew.lead, at=now())
    with pytest.raises(NotAllowed):
        pricing.record_decision(
            ew.call_off,
            ew.tenders[2].id,
            asked_on=now().date(),
            explanation="",
            decision="rejected",
            reason="No",
            actor=getattr(ew, who),
            at=now(),
        )


def test_a_tender_not_flagged_or_of_another_call_off_is_not_found(ew: EvaluationWorld) -> None:
    pricing.open_reviews(ew.call_off, actor=ew.lead, at=now())
    for tender_id in (ew.tenders[0].id, 999_999):
        with pytest.raises(NotFound):
            pricing.record_decision(
                ew.call_off,
                tender_id,
                asked_on=now().date(),
                explanation="x",
                decision="accepted",
                reason="y",
                actor=ew.lead,
                at=now(),
            )


def test_every_problem_comes_back_at_once_and_nothing_is_kept(ew: EvaluationWorld) -> None:
    pricing.open_reviews(ew.call_off, actor=ew.lead, at=now())
    assert _decide(ew, asked_on="", explanation="", decision="", reason="") == [
        "asked_on",
        "decision",
        "reason",
    ]
    assert _decide(ew, asked_on="31 2 2027", explanation="") == ["asked_on", "explanation"]
    assert _decide(ew, asked_on=now().date() + timedelta(days=1)) == ["asked_on"]
    review = pricing.reviews(ew.call_off)[ew.tenders[2].id]
    assert review.decision is None and review.explanation is None


def test_an_accepted_explanation_is_recorded_and_audited(ew: EvaluationWorld) -> None:
    pricing.open_reviews(ew.call_off, actor=ew.lead, at=now())
    assert _decide(ew) == []
    review = pricing.reviews(ew.call_off)[ew.tenders[2].id]
    assert review.decision == PriceReviewDecision.ACCEPTED
    assert review.explanation == "Our staff are already on site"
    assert review.decided_by_id == ew.lead.id
    assert review.explanation_requested_at is not None
    assert pricing.undecided(ew.call_off) == []
    assert pricing.rejected(ew.call_off) == {}
    event = db.session.query(AuditEvent).filter_by(action="price_review.accepted").one()
    assert event.after["reason"] == "The saving is explained by staff already nearby"


def test_a_rejection_needs_no_explanation_and_is_final(ew: EvaluationWorld) -> None:
    pricing.open_reviews(ew.call_off, actor=ew.lead, at=now())
    assert _decide(ew, explanation="", decision="rejected", reason="No explanation came") == []
    assert set(pricing.rejected(ew.call_off)) == {ew.tenders[2].id}
    with pytest.raises(NotAllowed, match="cannot be changed"):
        _decide(ew)


def test_an_undecided_flag_is_listed_even_before_the_page_was_opened(ew: EvaluationWorld) -> None:
    assert pricing.undecided(ew.call_off) == [ew.tenders[2].id]
