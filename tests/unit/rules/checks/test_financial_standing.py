"""Economic and financial standing's verdict on plain answers and a lot's minimum."""

from __future__ import annotations

import pytest

from dps.rules.checks.financial_standing import financial_standing
from dps.rules.enums import CheckOutcome

POUNDS = 100


@pytest.mark.parametrize(
    ("turnover", "minimum", "outcome"),
    [
        (150_000, 100_000, CheckOutcome.PASS),
        (100_000, 100_000, CheckOutcome.PASS),
        (99_999, 100_000, CheckOutcome.FAIL),
        (10, 0, CheckOutcome.NOT_APPLICABLE),
    ],
)
def test_turnover_against_the_minimum(turnover: int, minimum: int, outcome: CheckOutcome) -> None:
    verdict = financial_standing({"annual_turnover": turnover * POUNDS}, 1, minimum * POUNDS)
    assert verdict.outcome == outcome
    assert verdict.evidence["threshold_pence"] == minimum * POUNDS


def test_below_the_minimum_names_both_figures() -> None:
    verdict = financial_standing({"annual_turnover": 50_000 * POUNDS}, 2, 100_000 * POUNDS)
    assert verdict.reason == (
        "Latest annual turnover of £50,000 is below Lot 2’s minimum of £100,000."
    )


def test_no_turnover_sent_refers() -> None:
    verdict = financial_standing({}, 1, 100)
    assert verdict.outcome == CheckOutcome.REFER


def test_too_new_for_accounts_refers_with_the_other_evidence() -> None:
    answers = {
        "accounts_available": "too_new",
        "trading_months": 7,
        "alternative_evidence": "Bank statements",
    }
    verdict = financial_standing(answers, 1, 100_000 * POUNDS)
    assert verdict.outcome == CheckOutcome.REFER
    assert "trading for 7 months" in verdict.reason and "“Bank statements”" in verdict.reason
