"""The Companies House verdict on a plain profile and the register's answer: no HTTP."""

from __future__ import annotations

from dps.rules.checks.companies_house import before_look_up, on_register, refused, status_outcome
from dps.rules.enums import CheckOutcome

PROFILE = {
    "legal_name": "Co-operative Futures Ltd",
    "legal_form": "company",
    "companies_house_number": "09345678",
}
ASKED = {"companies_house_number": True}


def register(status: str = "active", name: str = "CO-OPERATIVE FUTURES LIMITED") -> dict:
    return {
        "company_number": "09345678",
        "company_name": name,
        "company_status": status,
        "type": "ltd",
        "date_of_creation": "2015-01-05",
        "looked_up_at": "2026-06-01T09:00:00+00:00",
    }


def test_a_society_without_a_number_is_not_applicable() -> None:
    society = {"legal_form": "cooperative_or_community_benefit_society", "legal_name": "X"}
    verdict = before_look_up(society, {"fca_number": True}, has_key=True)
    assert verdict is not None and verdict.outcome == CheckOutcome.NOT_APPLICABLE


def test_without_a_key_it_refers_and_with_one_it_asks_the_register() -> None:
    verdict = before_look_up(PROFILE, ASKED, has_key=False)
    assert verdict is not None and verdict.outcome == CheckOutcome.REFER
    assert "COMPANIES_HOUSE_API_KEY" in verdict.reason
    assert before_look_up(PROFILE, ASKED, has_key=True) is None


def test_an_active_company_of_the_same_name_passes() -> None:
    verdict = on_register(PROFILE, register())
    assert verdict.outcome == CheckOutcome.PASS
    assert verdict.evidence["name_matches"] is True


def test_another_name_refers_and_dissolved_fails() -> None:
    assert on_register(PROFILE, register(name="SOMEONE ELSE LTD")).outcome == CheckOutcome.REFER
    assert on_register(PROFILE, register("dissolved")).outcome == CheckOutcome.FAIL


def test_not_on_the_register_fails_and_a_refusal_refers() -> None:
    assert on_register(PROFILE, None).outcome == CheckOutcome.FAIL
    assert refused(PROFILE, "401").outcome == CheckOutcome.REFER


def test_an_unknown_status_refers() -> None:
    assert status_outcome("martian") == (CheckOutcome.REFER, "“martian”")
