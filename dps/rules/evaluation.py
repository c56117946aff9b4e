"""Scoring and ranking tenders: the arithmetic of a call-off's award, done in exact fractions.

- A quality or social-value question is worth ``moderated score / maximum score × weighting``.
- Price is scored by the formula chosen at drafting (``PriceFormula``); by default the lowest
  price divided by this price, times the price weighting.
- A price more than a stated share below the average of the OTHER tenders' prices (30% unless
  the buyer set another share at drafting) is flagged as possibly abnormally low (reg. 69): the
  buyer must ask for an explanation, and a tender whose explanation is rejected is left out of
  the ranking (and out of the lowest price).
- Totals are kept as ``Fraction`` (stored as "numerator/denominator"), shown to two decimal
  places rounding half up; equal totals are a tie, flagged and broken by the tie-break chosen
  at drafting (the higher quality score unless another was chosen). A tie the tie-break cannot
  break keeps both tenders at the same rank.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Generic, TypeVar

from dps.rules.award_criteria import QuestionKind

DEFAULT_ABNORMALLY_LOW_PERCENT = 30
ABNORMALLY_LOW_PERCENT_RANGE = (1, 90)

K = TypeVar("K", bound=Hashable)


class PriceFormula(enum.StrEnum):
    LOWEST_OVER_THIS = "lowest_over_this"
    DIFFERENCE_FROM_LOWEST = "difference_from_lowest"

    @property
    def label(self) -> str:
        return {
            "lowest_over_this": "Lowest price divided by this price, times the price weighting",
            "difference_from_lowest": (
                "Full marks for the lowest price, less 1% of the price weighting for each 1% "
                "a price is above the lowest (never below zero)"
            ),
        }[self.value]


class TieBreak(enum.StrEnum):
    HIGHER_QUALITY = "higher_quality"
    LOWER_PRICE = "lower_price"
    HIGHER_SOCIAL_VALUE = "higher_social_value"

    @property
    def label(self) -> str:
        return {
            "higher_quality": "The higher quality score (quality and social value together)",
            "lower_price": "The lower price",
            "higher_social_value": "The higher social-value score",
        }[self.value]


def price_score(
    price_pence: int, lowest_pence: int, weight_percent: int, formula: PriceFormula
) -> Fraction:
    """The marks a price earns out of ``weight_percent``, given the lowest price ranked."""
    if price_pence < lowest_pence:
        raise ValueError("the lowest price is higher than this price")
    if price_pence <= 0:
        return Fraction(weight_percent)
    if formula == PriceFormula.LOWEST_OVER_THIS:
        return Fraction(lowest_pence, price_pence) * weight_percent
    if lowest_pence <= 0:
        return Fraction(0)
    above = Fraction(price_pence - lowest_pence, lowest_pence)
    return max(Fraction(0), (1 - above) * weight_percent)


def question_marks(score: int, max_score: int, weight_percent: int) -> Fraction:
    """The marks a moderated score earns out of the question's weighting."""
    if not 0 <= score <= max_score:
        raise ValueError(f"score {score} is outside 0 to {max_score}")
    return Fraction(score, max_score) * weight_percent


def abnormally_low(
    prices: Mapping[K, int], percent: int = DEFAULT_ABNORMALLY_LOW_PERCENT
) -> set[K]:
    """The tenders whose price is more than ``percent``% below the average of the others'.
    With fewer than two prices there is nothing to compare, so nothing is flagged."""
    if len(prices) < 2:
        return set()
    total = sum(prices.values())
    others = len(prices) - 1
    flagged: set[K] = set()
    for key, price in prices.items():
        average_of_others = Fraction(total - price, others)
        # price < average × (1 − percent/100), compared exactly
        if price < average_of_others * (1 - Fraction(percent, 100)):
            flagged.add(key)
    return flagged


@dataclass(frozen=True)
class ScoredQuestion:
    """A question as the ranking sees it: its id, kind, weighting and maximum score."""

    id: int
    kind: QuestionKind
    weight_percent: int
    max_score: int


@dataclass(frozen=True)
class TenderScores(Generic[K]):
    """One tender to rank: its price and its moderated score for each question (by id)."""

    key: K
    price_pence: int
    scores: Mapping[int, int]


@dataclass(frozen=True)
class RankedTender(Generic[K]):
    key: K
    quality: Fraction  # quality questions' marks
    social_value: Fraction  # social-value questions' marks
    price: Fraction
    total: Fraction
    rank: int
    tied: bool = False  # its total equals another's
    tie_broken: bool = False  # …and the tie-break put them in order

    @property
    def non_price(self) -> Fraction:
        return self.quality + self.social_value


@dataclass(frozen=True)
class Ranking(Generic[K]):
    rows: list[RankedTender[K]]
    lowest_price_pence: int | None
    excluded: frozenset[K] = field(default_factory=frozenset)

    @property
    def top(self) -> list[RankedTender[K]]:
        """Every tender at the highest rank: more than one when the tie-break cannot separate
        them."""
        return [row for row in self.rows if row.rank == 1]

    @property
    def tied_at_top(self) -> bool:
        return len(self.top) > 1

    @property
    def first(self) -> RankedTender[K] | None:
        """The single highest-ranked tender; None when nothing is ranked, or when the highest
        rank is shared after the tie-break (no tender is first then: never input order)."""
        top = self.top
        return top[0] if len(top) == 1 else None

    @property
    def has_ties(self) -> bool:
        return any(row.tied for row in self.rows)

    def row_for(self, key: K) -> RankedTender[K] | None:
        return next((row for row in self.rows if row.key == key), None)


class ScoresMissing(ValueError):
    """A tender has no moderated score for a question: it cannot be ranked yet."""


def rank(
    tenders: Sequence[TenderScores[K]],
    questions: Sequence[ScoredQuestion],
    *,
    price_weight_percent: int,
    formula: PriceFormula = PriceFormula.LOWEST_OVER_THIS,
    tie_break: TieBreak = TieBreak.HIGHER_QUALITY,
    excluded: frozenset[K] | set[K] = frozenset(),
) -> Ranking[K]:
    """Rank the tenders not ``excluded``, highest total first."""
    ranked = [t for t in tenders if t.key not in excluded]
    lowest = min((t.price_pence for t in ranked), default=None)
    scored: list[tuple[TenderScores[K], Fraction, Fraction, Fraction]] = []
    for tender in ranked:
        quality = Fraction(0)
        social = Fraction(0)
        for question in questions:
            if question.id not in tender.scores:
                raise ScoresMissing(
                    f"tender {tender.key!r} has no score for question {question.id}"
                )
            marks = question_marks(
                tender.scores[question.id], question.max_score, question.weight_percent
            )
            if question.kind == QuestionKind.SOCIAL_VALUE:
                social += marks
            else:
                quality += marks
        assert lowest is not None
        price = price_score(tender.price_pence, lowest, price_weight_percent, formula)
        scored.append((tender, quality, social, price))

    def tie_key(item: tuple[TenderScores[K], Fraction, Fraction, Fraction]) -> Fraction:
        tender, quality, social, _price = item
        if tie_break == TieBreak.LOWER_PRICE:
            return Fraction(-tender.price_pence)
        if tie_break == TieBreak.HIGHER_SOCIAL_VALUE:
            return social
        return quality + social

    scored.sort(key=lambda item: (-(item[1] + item[2] + item[3]), -tie_key(item)))
    totals = [q + s + p for _t, q, s, p in scored]
    rows: list[RankedTender[K]] = []
    for index, (tender, quality, social, price) in enumerate(scored):
        total = totals[index]
        tied = totals.count(total) > 1
        same = [
            i
            for i, item in enumerate(scored)
            if totals[i] == total and tie_key(item) == tie_key(scored[index])
        ]
        position = min(same) + 1
        # Broken only when the tie-break alone places this tender among those it tied with.
        tie_broken = tied and len(same) == 1
        rows.append(
            RankedTender(tender.key, quality, social, price, total, position, tied, tie_broken)
        )
    return Ranking(rows, lowest, frozenset(t.key for t in tenders if t.key in excluded))


def two_places(value: Fraction) -> str:
    """A mark as shown: two decimal places, half rounded up ("82.35"), away from zero for a
    negative mark. Rounded in exact fractions, never through a shorter decimal division, so a
    mark a hair under a half is never rounded up."""
    hundredths = abs(value) * 100
    whole = math.floor(hundredths + Fraction(1, 2))
    sign = "-" if value < 0 and whole else ""
    return f"{sign}{whole // 100}.{whole % 100:02d}"


def stored(value: Fraction) -> str:
    """A mark as stored: exactly, as "numerator/denominator"."""
    return f"{value.numerator}/{value.denominator}"


def from_stored(text: str) -> Fraction:
    return Fraction(text)
