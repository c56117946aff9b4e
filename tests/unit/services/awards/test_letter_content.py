"""What a letter says, built from the frozen award alone."""

from __future__ import annotations

from dps.models.awards import LetterKind
from dps.services.awards import letter_content
from tests.fixtures.calloffs_world import CallOffWorld
from tests.fixtures.letters_world import CHOICE_REASON, decided


def test_bidders_are_ranked_then_excluded_and_kinds_follow_the_award(cw: CallOffWorld) -> None:
    ew, award = decided(cw, excluded=True)
    bidders = letter_content.bidders(award)
    assert [b["tender_id"] for b in bidders][-1] == ew.tenders[2].id
    assert letter_content.kind_for(award, award.tender_id or 0) == LetterKind.SUCCESSFUL
    assert letter_content.kind_for(award, ew.tenders[0].id) == LetterKind.UNSUCCESSFUL


def test_criteria_labels_and_marks_to_two_places(cw: CallOffWorld) -> None:
    _ew, award = decided(cw)
    criteria = letter_content.criteria(award.ranking)
    assert [q["kind"] for q in criteria["questions"]] == ["Quality", "Social value"]
    assert criteria["price_formula"].startswith("Lowest price divided by this price")
    row = award.ranking["rows"][0]
    marks = letter_content.marks(award.ranking, row)
    assert marks["total"] == "91.00" and marks["rank"] == 1
    assert [s["marks"] for s in marks["scores"]] == ["50.00", "16.00"]


def test_the_proposed_winner_s_letters_carry_no_choice_reason(cw: CallOffWorld) -> None:
    ew, award = decided(cw)
    for bidder in letter_content.bidders(award):
        content = letter_content.content_for(ew.call_off, award, bidder)
        assert content["winner_standing"] == "highest" and content["choice_reason"] is None


def test_a_winner_chosen_over_a_higher_ranked_tender_is_explained_to_every_bidder(
    cw: CallOffWorld,
) -> None:
    ew, award = decided(cw, chosen="lower")
    contents = [
        letter_content.content_for(ew.call_off, award, bidder)
        for bidder in letter_content.bidders(award)
    ]
    assert {c["kind"] for c in contents} == {"successful", "unsuccessful"}
    assert all(c["choice_reason"] == CHOICE_REASON for c in contents)
    assert all(c["winner_standing"] == "lower" for c in contents)


def test_a_winner_chosen_from_a_shared_highest_rank_is_explained_to_every_bidder(
    cw: CallOffWorld,
) -> None:
    ew, award = decided(cw, chosen="tied")
    for bidder in letter_content.bidders(award):
        content = letter_content.content_for(ew.call_off, award, bidder)
        assert content["winner_standing"] == "tied"
        assert content["choice_reason"] == CHOICE_REASON


def test_a_decision_not_to_award_has_no_choice(cw: CallOffWorld) -> None:
    ew, award = decided(cw, no_award=True)
    for bidder in letter_content.bidders(award):
        content = letter_content.content_for(ew.call_off, award, bidder)
        assert content["winner_standing"] is None and content["choice_reason"] is None
