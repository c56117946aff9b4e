"""The completeness verdict on the gaps found in a lot's questionnaire."""

from __future__ import annotations

from dps.rules.checks.completeness import Gap, completeness, questionnaire_not_on_record
from dps.rules.enums import CheckOutcome

KEPT = {"key": "ccin-sq", "version": "2026.1", "checksum": "abc"}


def test_no_gaps_passes() -> None:
    verdict = completeness(1, KEPT, [])
    assert verdict.outcome == CheckOutcome.PASS
    assert verdict.evidence["questionnaire"] == "ccin-sq version 2026.1"


def test_gaps_fail_listing_each() -> None:
    gaps = [Gap("Insurance", "public_liability_cover", "Enter the amount")]
    verdict = completeness(2, KEPT, gaps)
    assert verdict.outcome == CheckOutcome.FAIL
    assert (
        verdict.reason == "1 answer is missing or not valid for Lot 2. Insurance: Enter the amount."
    )


def test_a_questionnaire_not_on_record_is_an_error() -> None:
    verdict = questionnaire_not_on_record(KEPT)
    assert verdict.outcome == CheckOutcome.ERROR
    assert "(ccin-sq version 2026.1) is not on record" in verdict.reason
