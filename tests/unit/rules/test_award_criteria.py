"""Award criteria: weightings add up to exactly 100%, social value carries at least 10% (PPN
06/20) under one of the network's principles, and every problem is named at once."""

from __future__ import annotations

import pytest

from dps.rules import award_criteria
from dps.rules.award_criteria import QuestionKind, WeightedQuestion

Q = QuestionKind.QUALITY
SV = QuestionKind.SOCIAL_VALUE


def question(
    number: int,
    kind: QuestionKind,
    weight: int,
    *,
    max_score: int = 5,
    word_limit: int | None = 500,
    theme: str | None = None,
) -> WeightedQuestion:
    if kind == SV and theme is None:
        theme = "co_production"
    return WeightedQuestion(number, kind, weight, max_score, word_limit, theme)


def messages(found: list[award_criteria.CriteriaRefused]) -> list[str]:
    return [problem.message for problem in found]


def test_weights_adding_up_to_100_with_enough_social_value_may_be_published() -> None:
    questions = [question(1, Q, 40), question(2, Q, 20), question(3, SV, 10)]
    assert award_criteria.problems(questions, price_percent=30) == []
    assert award_criteria.social_value_percent(questions) == 10


@pytest.mark.parametrize(("price", "total"), [(29, 99), (31, 101)])
def test_weights_must_add_up_to_exactly_100(price: int, total: int) -> None:
    questions = [question(1, Q, 60), question(2, SV, 10)]
    [problem] = award_criteria.problems(questions, price_percent=price)
    assert problem.field == "weights"
    assert problem.message == (
        f"The weightings add up to {total}%. They must add up to exactly 100%"
    )


def test_social_value_below_10_percent_is_refused() -> None:
    questions = [question(1, Q, 61), question(2, SV, 9)]
    [problem] = award_criteria.problems(questions, price_percent=30)
    assert problem.field == "social_value"
    assert "carries 9% of the marks" in problem.message
    assert "at least 10% (PPN 06/20)" in problem.message


def test_no_social_value_question_at_all_is_refused() -> None:
    found = award_criteria.problems([question(1, Q, 70)], price_percent=30)
    assert [problem.field for problem in found] == ["social_value"]


def test_a_social_value_question_names_one_of_the_ten_principles() -> None:
    assert len(award_criteria.CCIN_PRINCIPLES) == 10
    unthemed = WeightedQuestion(2, SV, 10, 5, 500, theme="something_else")
    found = award_criteria.problems([question(1, Q, 60), unthemed], price_percent=30)
    assert [problem.field for problem in found] == ["question-2"]
    assert "principles" in found[0].message


def test_every_problem_is_reported_at_once_in_reading_order() -> None:
    questions = [
        question(1, Q, 0, max_score=0),
        question(2, SV, 5, word_limit=0),
    ]
    found = award_criteria.problems(questions, price_percent=120)
    assert [problem.field for problem in found] == [
        "question-1",
        "question-1",
        "question-2",
        "price",
        "weights",
        "social_value",
    ]
    assert messages(found)[0] == "Question 1: the weighting must be between 1% and 100%"
    assert messages(found)[2] == "Question 2: the word limit must be between 1 and 5,000"


def test_criteria_with_no_questions_are_refused() -> None:
    found = award_criteria.problems([], price_percent=100)
    assert "questions" in [problem.field for problem in found]


def test_words_are_counted_between_spaces() -> None:
    assert award_criteria.words_in("") == 0
    assert award_criteria.words_in("  Co-operative   councils\nwork together. ") == 4
