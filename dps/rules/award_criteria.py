"""A call-off's award criteria: what the marks are for, and the rules their weightings keep.

A call-off is awarded on quality questions, social-value questions and price, each weighted in
whole percentages that add up to exactly 100 (fixed when the call-off is published). Social value
carries at least 10% of the marks (PPN 06/20); each social-value question is tied to one of the
network's ten principles, which are how "the co-operative difference" is judged. Every problem is
reported at once, each naming the question it is about, so a buyer can put them all right in one
go.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from dps.rules.refusals import Refusal

TOTAL_PERCENT = 100
# PPN 06/20: social value is at least 10% of the total score.
SOCIAL_VALUE_MINIMUM_PERCENT = 10
MAX_SCORE_LIMIT = 100
WORD_LIMIT_MAX = 5000

# The CCIN's ten principles, as the selection questionnaire names them (principle_<id> there).
CCIN_PRINCIPLES: dict[str, str] = {
    "social_partnership": "Social partnership",
    "democratic_engagement": "Democratic engagement",
    "co_production": "Co-production",
    "enterprise_social_economy": "Enterprise and the social economy",
    "social_value": "Maximising social value",
    "community_leadership": "Community leadership and a new role for councillors",
    "priority_needs": "New models of meeting priority needs",
    "innovation": "Innovation",
    "learning": "Learning",
    "walking_the_talk": "Walking the talk",
}


class QuestionKind(enum.StrEnum):
    QUALITY = "quality"
    SOCIAL_VALUE = "social_value"


@dataclass(frozen=True)
class WeightedQuestion:
    """A question as the rules see it; ``number`` is its place in the list, from 1."""

    number: int
    kind: QuestionKind
    weight_percent: int
    max_score: int
    word_limit: int | None = None
    theme: str | None = None  # a key of CCIN_PRINCIPLES, for a social-value question


class CriteriaRefused(Refusal):
    """One problem with the award criteria; ``field`` names the question or the weighting."""


def social_value_percent(questions: Sequence[WeightedQuestion]) -> int:
    return sum(q.weight_percent for q in questions if q.kind == QuestionKind.SOCIAL_VALUE)


def problems(questions: Sequence[WeightedQuestion], price_percent: int) -> list[CriteriaRefused]:
    """Everything wrong with the criteria, in reading order; an empty list when they may be
    published."""
    found: list[CriteriaRefused] = []
    for question in questions:
        found.extend(_question_problems(question))
    if not 0 <= price_percent <= TOTAL_PERCENT:
        found.append(
            CriteriaRefused("The price weighting must be between 0% and 100%", field="price")
        )
    if not questions:
        found.append(CriteriaRefused("Add at least one question", field="questions"))
    total = sum(q.weight_percent for q in questions) + price_percent
    if total != TOTAL_PERCENT:
        found.append(
            CriteriaRefused(
                f"The weightings add up to {total}%. They must add up to exactly 100%",
                field="weights",
            )
        )
    social = social_value_percent(questions)
    if social < SOCIAL_VALUE_MINIMUM_PERCENT:
        found.append(
            CriteriaRefused(
                f"Social value carries {social}% of the marks. It must carry at least "
                f"{SOCIAL_VALUE_MINIMUM_PERCENT}% (PPN 06/20)",
                field="social_value",
            )
        )
    return found


def _question_problems(question: WeightedQuestion) -> list[CriteriaRefused]:
    field = f"question-{question.number}"
    name = f"Question {question.number}"
    found: list[CriteriaRefused] = []
    if not 1 <= question.weight_percent <= TOTAL_PERCENT:
        found.append(
            CriteriaRefused(f"{name}: the weighting must be between 1% and 100%", field=field)
        )
    if not 1 <= question.max_score <= MAX_SCORE_LIMIT:
        found.append(
            CriteriaRefused(
                f"{name}: the maximum score must be between 1 and {MAX_SCORE_LIMIT}", field=field
            )
        )
    if question.word_limit is not None and not 1 <= question.word_limit <= WORD_LIMIT_MAX:
        found.append(
            CriteriaRefused(
                f"{name}: the word limit must be between 1 and {WORD_LIMIT_MAX:,}", field=field
            )
        )
    if question.kind == QuestionKind.SOCIAL_VALUE and question.theme not in CCIN_PRINCIPLES:
        found.append(
            CriteriaRefused(
                f"{name}: choose which of the network’s principles this social-value "
                "question is about",
                field=field,
            )
        )
    return found


def words_in(text: str) -> int:
    """Words as a tender's word limit counts them: runs of characters between spaces."""
    return len(text.split())
