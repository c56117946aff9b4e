"""The duplicate organisation verdict on a plain profile and the other organisations."""

from __future__ import annotations

from dps.rules.checks.duplicate_organisation import duplicate_organisation
from dps.rules.enums import CheckOutcome

OURS = {"legal_name": "Co-operative Futures Ltd", "companies_house_number": "09345678"}


def other(organisation_id: int, name: str, **numbers: str) -> dict[str, object]:
    return {"organisation_id": organisation_id, "name": name, "legal_name": None, **numbers}


def test_no_one_alike_passes() -> None:
    verdict = duplicate_organisation(OURS, [other(2, "Someone Else CIC")])
    assert verdict.outcome == CheckOutcome.PASS
    assert verdict.evidence["matches"] == []


def test_the_same_number_and_name_refers_naming_both() -> None:
    verdict = duplicate_organisation(
        OURS, [other(5, "CO-OPERATIVE FUTURES LIMITED", companies_house_number="09345678")]
    )
    assert verdict.outcome == CheckOutcome.REFER
    assert verdict.reason == (
        "CO-OPERATIVE FUTURES LIMITED (organisation 5) has the same Companies House number "
        "09345678 and the same name. Check whether they are the same organisation."
    )
