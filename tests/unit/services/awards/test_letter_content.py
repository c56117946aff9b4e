"""What a letter says, built from the frozen award alone."""

from __future__ import annotations

from dps.models.awards import LetterKind
from dps.services.awards import letter_content
from tests.fixtures.calloffs_world import CallOffWorld
from tests.fixtures.letters_world import decided


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
