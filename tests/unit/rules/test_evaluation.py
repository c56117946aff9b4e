"""Scoring and ranking tenders (dps.rules.evaluation): the price formulas, the weights, exact
totals shown to two places, ties and their tie-breaks, and the abnormally-low flag (reg. 69)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from dps.rules.award_criteria import QuestionKind
from dps.rules.evaluation import (
    PriceFormula,
    ScoredQuestion,
    ScoresMissing,
    TenderScores,
    TieBreak,
    abnormally_low,
    from_stored,
    price_score,
    question_marks,
    rank,
    stored,
    two_places,
)

QUALITY = ScoredQuestion(1, QuestionKind.QUALITY, 50, 5)
SOCIAL = ScoredQuestion(2, QuestionKind.SOCIAL_VALUE, 20, 5)
QUESTIONS = (QUALITY, SOCIAL)


def tender(key: str, price: int, quality: int, social: int) -> TenderScores[str]:
    return TenderScores(key, price, {1: quality, 2: social})


# --- price --------------------------------------------------------------------------------------


def test_the_default_formula_is_the_lowest_price_over_this_one_times_the_weighting() -> None:
    assert price_score(25_000_00, 25_000_00, 30, PriceFormula.LOWEST_OVER_THIS) == 30
    assert price_score(40_000_00, 25_000_00, 30, PriceFormula.LOWEST_OVER_THIS) == Fraction(75, 4)
    assert price_score(30_000_00, 25_000_00, 30, PriceFormula.LOWEST_OVER_THIS) == 25


def test_the_difference_formula_takes_a_percent_of_the_weighting_for_each_percent_above() -> None:
    formula = PriceFormula.DIFFERENCE_FROM_LOWEST
    assert price_score(100_00, 100_00, 40, formula) == 40
    assert price_score(110_00, 100_00, 40, formula) == 36  # 10% above: 10% of 40 off
    assert price_score(150_00, 100_00, 40, formula) == 20


def test_the_difference_formula_never_goes_below_zero() -> None:
    formula = PriceFormula.DIFFERENCE_FROM_LOWEST
    assert price_score(200_00, 100_00, 40, formula) == 0  # exactly double: nothing
    assert price_score(350_00, 100_00, 40, formula) == 0  # far above: still nothing, not less


def test_a_price_below_the_lowest_is_a_fault() -> None:
    with pytest.raises(ValueError):
        price_score(99, 100, 30, PriceFormula.LOWEST_OVER_THIS)


def test_a_free_tender_earns_full_price_marks() -> None:
    assert price_score(0, 0, 30, PriceFormula.LOWEST_OVER_THIS) == 30
    assert price_score(100, 0, 30, PriceFormula.LOWEST_OVER_THIS) == 0


# --- weights --------------------------------------------------------------------------------------


def test_a_question_earns_its_share_of_its_weighting() -> None:
    assert question_marks(4, 5, 50) == 40
    assert question_marks(2, 3, 25) == Fraction(50, 3)
    with pytest.raises(ValueError):
        question_marks(6, 5, 50)


def test_totals_add_the_weighted_quality_social_value_and_price_marks() -> None:
    ranking = rank(
        [tender("a", 40_000_00, 5, 4), tender("b", 25_000_00, 3, 3)],
        QUESTIONS,
        price_weight_percent=30,
    )
    a, b = ranking.row_for("a"), ranking.row_for("b")
    assert a is not None and b is not None
    assert (a.quality, a.social_value, a.price) == (50, 16, Fraction(75, 4))
    assert a.total == Fraction(339, 4)  # 84.75
    assert b.total == 30 + 12 + 30
    assert [row.key for row in ranking.rows] == ["a", "b"]
    assert ranking.lowest_price_pence == 25_000_00


def test_a_missing_moderated_score_cannot_be_ranked() -> None:
    with pytest.raises(ScoresMissing):
        rank([TenderScores("a", 100, {1: 3})], QUESTIONS, price_weight_percent=30)


# --- rounding and storage -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Fraction(82345, 1000), "82.35"),  # a half rounds up
        (Fraction(82344, 1000), "82.34"),
        (Fraction(1, 3), "0.33"),
        (Fraction(2, 3), "0.67"),
        (Fraction(100), "100.00"),
        (Fraction(1, 200), "0.01"),
        (Fraction(1, 200) - Fraction(1, 10**40), "0.00"),  # a hair under a half: down
        (Fraction(0), "0.00"),
    ],
)
def test_marks_are_shown_to_two_places_rounding_half_up(value: Fraction, shown: str) -> None:
    assert two_places(value) == shown


def test_marks_are_stored_exactly() -> None:
    total = Fraction(75, 4) + Fraction(50, 3)
    assert stored(total) == "425/12"
    assert from_stored(stored(total)) == total
    assert two_places(total) == "35.42"


# --- ties -----------------------------------------------------------------------------------------


def _tied() -> list[TenderScores[str]]:
    # a: 40 + 8 + 30 = 78 at the lowest price; b: 50 + 4 + 30 × 100/125 = 78.
    return [tender("a", 100_00, 4, 2), tender("b", 125_00, 5, 1)]


def test_a_tie_is_flagged_and_broken_by_the_higher_quality_score_by_default() -> None:
    ranking = rank(_tied(), QUESTIONS, price_weight_percent=30)
    a, b = ranking.row_for("a"), ranking.row_for("b")
    assert a is not None and b is not None
    assert a.total == b.total == 78
    assert a.tied and b.tied and ranking.has_ties
    assert a.tie_broken and b.tie_broken
    assert b.non_price > a.non_price
    assert [(row.key, row.rank) for row in ranking.rows] == [("b", 1), ("a", 2)]


def test_the_lower_price_tie_break() -> None:
    ranking = rank(_tied(), QUESTIONS, price_weight_percent=30, tie_break=TieBreak.LOWER_PRICE)
    assert [(row.key, row.rank, row.tie_broken) for row in ranking.rows] == [
        ("a", 1, True),
        ("b", 2, True),
    ]


def test_the_social_value_tie_break() -> None:
    ranking = rank(
        _tied(), QUESTIONS, price_weight_percent=30, tie_break=TieBreak.HIGHER_SOCIAL_VALUE
    )
    assert [(row.key, row.rank) for row in ranking.rows] == [("a", 1), ("b", 2)]


def test_a_three_way_tie_is_put_in_order_by_the_tie_break() -> None:
    # Same price, so the same price marks; quality + social equal in total but spread apart.
    questions = (
        ScoredQuestion(1, QuestionKind.QUALITY, 40, 10),
        ScoredQuestion(2, QuestionKind.SOCIAL_VALUE, 40, 10),
    )
    tenders = [
        TenderScores("x", 100, {1: 5, 2: 5}),
        TenderScores("y", 100, {1: 4, 2: 6}),
        TenderScores("z", 100, {1: 6, 2: 4}),
    ]
    ranking = rank(
        tenders, questions, price_weight_percent=20, tie_break=TieBreak.HIGHER_SOCIAL_VALUE
    )
    assert [(row.key, row.rank, row.tied, row.tie_broken) for row in ranking.rows] == [
        ("y", 1, True, True),
        ("x", 2, True, True),
        ("z", 3, True, True),
    ]


def test_a_tie_the_tie_break_cannot_break_keeps_the_same_rank() -> None:
    ranking = rank(
        [tender("a", 100_00, 4, 3), tender("b", 100_00, 4, 3), tender("c", 200_00, 1, 1)],
        QUESTIONS,
        price_weight_percent=30,
    )
    a, b, c = (ranking.row_for(key) for key in "abc")
    assert a is not None and b is not None and c is not None
    assert a.rank == b.rank == 1
    assert a.tied and b.tied and not a.tie_broken and not b.tie_broken
    assert c.rank == 3 and not c.tied
    # Nobody is first: the order they were given in never decides.
    assert ranking.first is None and ranking.tied_at_top
    assert [row.key for row in ranking.top] == ["a", "b"]


def test_a_tie_broken_at_the_top_or_a_tie_lower_down_leaves_one_first() -> None:
    broken = rank(_tied(), QUESTIONS, price_weight_percent=30)
    assert broken.first is not None and broken.first.key == "b" and not broken.tied_at_top
    lower = rank(
        [tender("c", 100_00, 5, 5), tender("a", 100_00, 4, 3), tender("b", 100_00, 4, 3)],
        QUESTIONS,
        price_weight_percent=30,
    )
    assert lower.first is not None and lower.first.key == "c" and not lower.tied_at_top
    assert rank([], QUESTIONS, price_weight_percent=30).first is None


def test_in_a_three_way_tie_only_the_tender_the_tie_break_places_is_broken() -> None:
    questions = (
        ScoredQuestion(1, QuestionKind.QUALITY, 40, 10),
        ScoredQuestion(2, QuestionKind.SOCIAL_VALUE, 40, 10),
    )
    tenders = [
        TenderScores("x", 100, {1: 5, 2: 5}),
        TenderScores("y", 100, {1: 4, 2: 6}),
        TenderScores("w", 100, {1: 4, 2: 6}),
    ]
    ranking = rank(
        tenders, questions, price_weight_percent=20, tie_break=TieBreak.HIGHER_SOCIAL_VALUE
    )
    assert [(row.key, row.rank, row.tied, row.tie_broken) for row in ranking.rows] == [
        ("y", 1, True, False),
        ("w", 1, True, False),
        ("x", 3, True, True),
    ]


# --- excluded tenders -----------------------------------------------------------------------------


def test_an_excluded_tender_is_not_ranked_nor_the_lowest_price() -> None:
    ranking = rank(
        [tender("a", 40_000_00, 5, 4), tender("low", 10_000_00, 1, 1)],
        QUESTIONS,
        price_weight_percent=30,
        excluded={"low"},
    )
    assert [row.key for row in ranking.rows] == ["a"]
    assert ranking.excluded == frozenset({"low"})
    assert ranking.lowest_price_pence == 40_000_00
    assert ranking.rows[0].price == 30


# --- abnormally low -------------------------------------------------------------------------------


def test_a_price_exactly_the_share_below_the_average_of_the_others_is_not_flagged() -> None:
    # The others average 100: 70 is exactly 30% below.
    assert abnormally_low({"a": 70, "b": 100, "c": 100}) == set()


def test_a_price_just_beyond_the_share_is_flagged() -> None:
    assert abnormally_low({"a": 69, "b": 100, "c": 100}) == {"a"}


def test_the_share_set_at_drafting_is_used() -> None:
    prices = {"a": 75, "b": 100, "c": 100}
    assert abnormally_low(prices, 20) == {"a"}
    assert abnormally_low(prices, 25) == set()


def test_the_flag_compares_with_the_others_only() -> None:
    # 25,000 against 40,000 and 30,000 (average 35,000): 28.6% below, not flagged at 30%.
    assert abnormally_low({1: 40_000_00, 2: 30_000_00, 3: 25_000_00}) == set()
    assert abnormally_low({1: 40_000_00, 2: 30_000_00, 3: 20_000_00}) == {3}


@pytest.mark.parametrize("prices", [{}, {"only": 100}])
def test_fewer_than_two_prices_flag_nothing(prices: dict[str, int]) -> None:
    assert abnormally_low(prices) == set()
