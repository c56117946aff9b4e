"""The insurance verdict on plain answers, certificates, a lot's minimums and today's date."""

from __future__ import annotations

from datetime import date
from typing import Any

from dps.rules.checks.insurance import insurance
from dps.rules.enums import CheckOutcome, DocumentKind

TODAY = date(2026, 6, 1)
MINIMUMS = {DocumentKind.PUBLIC_LIABILITY: 500_000_000}
ANSWERS = {"public_liability_cover": 500_000_000, "public_liability_expiry": "2027-01-01"}
CERTIFICATE = {"id": 7, "kind": "public_liability", "expires_on": "2027-01-01"}


def verdict(
    answers: dict[str, Any] = ANSWERS,
    documents: list[dict[str, Any]] | None = None,
    minimums: dict[DocumentKind, int] = MINIMUMS,
    facts: dict[str, Any] | None = None,
) -> Any:
    return insurance(
        answers,
        facts if facts is not None else {"employees": 3},
        [CERTIFICATE] if documents is None else documents,
        lot_number=1,
        minimums=minimums,
        today=TODAY,
    )


def test_cover_at_the_minimum_and_in_date_passes() -> None:
    found = verdict()
    assert found.outcome == CheckOutcome.PASS
    assert found.evidence["covers"]["public_liability"]["certificate_id"] == 7


def test_cover_below_the_minimum_fails() -> None:
    found = verdict(ANSWERS | {"public_liability_cover": 100_000_000})
    assert found.outcome == CheckOutcome.FAIL
    assert "below Lot 1’s minimum of £5,000,000" in found.reason


def test_a_certificate_expired_by_today_fails() -> None:
    found = verdict(documents=[CERTIFICATE | {"expires_on": "2026-06-01"}])
    assert found.outcome == CheckOutcome.FAIL
    assert "certificate expired on" in found.reason


def test_no_certificate_fails() -> None:
    assert "No public liability insurance certificate" in verdict(documents=[]).reason


def test_a_lot_asking_for_nothing_is_not_applicable() -> None:
    assert verdict(minimums={}).outcome == CheckOutcome.NOT_APPLICABLE


def test_employers_liability_is_not_asked_without_employees() -> None:
    found = verdict(minimums={DocumentKind.EMPLOYERS_LIABILITY: 100}, facts={"employees": 0})
    assert found.outcome == CheckOutcome.NOT_APPLICABLE
    assert found.evidence["covers"]["employers_liability"]["applies"] is False
