"""Questions, price and criteria: typed values kept, every problem named, weights checked."""

from __future__ import annotations

import pytest

from dps.models import AuditEvent
from dps.rules.enums import CallOffStatus
from dps.rules.evaluation import PriceFormula, TieBreak
from dps.services.calloffs import drafting, questions
from dps.services.calloffs.drafting import CallOffLocked
from tests.fixtures.calloffs_world import QUALITY, SOCIAL, CallOffWorld


def draft(cw: CallOffWorld):  # type: ignore[no-untyped-def]
    return drafting.start_draft(cw.council.id, cw.world.lots[1].id, actor=cw.buyer)


def test_questions_keep_what_was_typed_and_name_each_problem(cw: CallOffWorld) -> None:
    call_off = draft(cw)
    problems = questions.save_questions(
        call_off,
        [QUALITY, {**SOCIAL, "theme": "", "max_score": "five", "word_limit": "0"}],
        actor=cw.buyer,
    )
    assert [p.field for p in problems] == [
        "question-2-max_score",
        "question-2-word_limit",
        "question-2-theme",
    ]
    typed = questions.typed_questions(call_off)
    assert typed[1]["max_score"] == "five"
    assert typed[1]["word_limit"] == "0"
    assert (
        questions.save_questions(call_off, [], actor=cw.buyer)[0].message
        == "Add at least one question"
    )


def test_price_schedule_lines_need_a_description_and_quantity(cw: CallOffWorld) -> None:
    call_off = draft(cw)
    assert questions.save_price(call_off, None, actor=cw.buyer)[0].field == "price_format"
    assert questions.save_price(call_off, "schedule", [], actor=cw.buyer)[0].field == "lines"
    problems = questions.save_price(
        call_off,
        "schedule",
        [
            {"description": "Workshops", "unit": "day", "quantity": "6"},
            {"description": "", "quantity": "half"},
        ],
        actor=cw.buyer,
    )
    assert [p.field for p in problems] == ["line-2-description", "line-2-quantity"]
    assert [line.quantity for line in call_off.price_lines] == [6, None]
    assert questions.save_price(call_off, "total", actor=cw.buyer) == []
    assert call_off.price_lines == []


def test_weights_must_add_up_to_100_with_social_value_at_least_10(cw: CallOffWorld) -> None:
    call_off = draft(cw)
    questions.save_questions(call_off, [QUALITY, SOCIAL], actor=cw.buyer)
    problems = questions.save_criteria(call_off, "40", {1: "55", 2: "5"}, actor=cw.buyer)
    assert [p.field for p in problems] == ["social_value"]
    problems = questions.save_criteria(call_off, "40", {1: "50", 2: "20"}, actor=cw.buyer)
    assert [p.field for p in problems] == ["weights"]
    assert (
        questions.save_criteria(call_off, "abc", {1: "x"}, actor=cw.buyer)[0].field
        == "price_weight"
    )
    assert questions.typed_questions(call_off)[0]["weight"] == "x"
    assert questions.save_criteria(call_off, "30", {1: "50", 2: "20"}, actor=cw.buyer) == []


def test_how_price_is_scored_defaults_and_is_kept_as_typed_when_wrong(cw: CallOffWorld) -> None:
    call_off = draft(cw)
    assert (call_off.price_formula, call_off.abnormally_low_percent, call_off.tie_break) == (
        PriceFormula.LOWEST_OVER_THIS,
        30,
        TieBreak.HIGHER_QUALITY,
    )
    problems = questions.save_price(
        call_off,
        "total",
        actor=cw.buyer,
        scoring={"price_formula": "cheapest", "abnormally_low_percent": "95", "tie_break": ""},
    )
    assert [p.field for p in problems] == ["price_formula", "abnormally_low_percent", "tie_break"]
    assert call_off.pending_input is not None
    assert call_off.pending_input["price"]["abnormally_low_percent"] == "95"
    assert call_off.abnormally_low_percent == 30  # the column keeps only a valid value
    problems = questions.save_price(
        call_off,
        "total",
        actor=cw.buyer,
        scoring={
            "price_formula": "difference_from_lowest",
            "abnormally_low_percent": "25",
            "tie_break": "lower_price",
        },
    )
    assert problems == []
    assert (call_off.price_formula, call_off.abnormally_low_percent, call_off.tie_break) == (
        PriceFormula.DIFFERENCE_FROM_LOWEST,
        25,
        TieBreak.LOWER_PRICE,
    )
    event = (
        AuditEvent.query.filter_by(action="call_off.price_saved").order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None and event.after["abnormally_low_percent"] == 25


def test_how_price_is_scored_is_fixed_once_published(cw: CallOffWorld) -> None:
    call_off = draft(cw)
    call_off.status = CallOffStatus.PUBLISHED
    with pytest.raises(CallOffLocked):
        questions.save_price(
            call_off, "total", actor=cw.buyer, scoring={"tie_break": "lower_price"}
        )
