"""The checks known: each check's outcomes on the snapshot a real submission keeps, from what it
gathers (the database, the document store) to its verdict."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from dps.extensions import db
from dps.models import Application
from dps.models.suppliers import SupplierProfile
from dps.rules.enums import (
    CheckOutcome,
)
from dps.rules.names import names_match
from dps.services.qualification.registry import TransientCheckError
from dps.services.suppliers import documents
from tests.fixtures.application_world import (
    World,
)
from tests.fixtures.checks_world import POUNDS, TODAY, O, changed, check, context, kept, stored_path
from tests.fixtures.helpers import make_supplier

# The tests that run each step by hand hand their tasks to a broker nobody reads.
pytestmark = pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")


def test_completeness_passes_each_lot_whose_every_question_is_answered(sent: Application) -> None:
    for lot in (1, 2):
        verdict = check("completeness", context(sent, lot=lot))
        assert verdict.outcome == O.PASS
        assert verdict.reason == f"Every question asked for Lot {lot} was answered."
        assert verdict.evidence["gaps"] == []


def test_completeness_fails_only_the_lot_whose_questions_are_missing(sent: Application) -> None:
    snapshot = changed(sent, lot1_case_studies=None, lot1_service_redesign=None)
    lot_1 = check("completeness", context(sent, lot=1, snapshot=snapshot))
    assert lot_1.outcome == O.FAIL
    assert lot_1.reason.startswith("2 answers are missing or not valid for Lot 1.")
    assert "Case studies for Lot 1" in lot_1.reason
    assert [gap["question"] for gap in lot_1.evidence["gaps"]] == [
        "lot1_case_studies",
        "lot1_service_redesign",
    ]
    assert check("completeness", context(sent, lot=2, snapshot=snapshot)).outcome == O.PASS


def test_completeness_is_an_error_when_the_questionnaire_is_not_on_record(
    sent: Application,
) -> None:
    snapshot = kept(sent)
    snapshot["questionnaire"]["checksum"] = "0" * 64
    verdict = check("completeness", context(sent, lot=1, snapshot=snapshot))
    assert verdict.outcome == O.ERROR
    assert "is not on record" in verdict.reason


# --- exclusion grounds ----------------------------------------------------------------------


def test_no_mandatory_ground_declared_passes(sent: Application) -> None:
    verdict = check("mandatory_exclusions", context(sent))
    assert verdict.outcome == O.PASS
    assert verdict.reason == "The supplier declared none of the 8 mandatory exclusion grounds."


def test_any_mandatory_ground_declared_fails_and_names_it(sent: Application) -> None:
    snapshot = changed(
        sent,
        mx_fraud="yes",
        mx_fraud_details="A former director was convicted of fraud in 2023.",
        mx_fraud_self_cleaning="The director left; we paid back every penny.",
    )
    verdict = check("mandatory_exclusions", context(sent, snapshot=snapshot))
    assert verdict.outcome == O.FAIL
    assert verdict.reason == "The supplier declared a mandatory exclusion ground: fraud."
    assert verdict.evidence["grounds"]["mx_fraud"]["self_cleaning"] == (
        "The director left; we paid back every penny."
    )


def test_two_mandatory_grounds_are_both_named(sent: Application) -> None:
    snapshot = changed(sent, mx_bribery="yes", mx_terrorism="yes")
    verdict = check("mandatory_exclusions", context(sent, snapshot=snapshot))
    assert verdict.reason == (
        "The supplier declared a mandatory exclusion ground: bribery and terrorist offences."
    )


def test_a_mandatory_ground_without_an_answer_is_referred(sent: Application) -> None:
    verdict = check("mandatory_exclusions", context(sent, snapshot=changed(sent, mx_tax=None)))
    assert verdict.outcome == O.REFER
    assert "No answer was sent about not paying taxes" in verdict.reason


def test_no_discretionary_ground_declared_passes(sent: Application) -> None:
    assert check("discretionary_exclusions", context(sent)).outcome == O.PASS


def test_a_discretionary_ground_is_referred_quoting_the_self_cleaning(sent: Application) -> None:
    snapshot = changed(
        sent,
        dx_insolvency="yes",
        dx_insolvency_details="A company voluntary arrangement agreed in March 2025.",
        dx_insolvency_self_cleaning="All payments under the arrangement are up to date.",
    )
    verdict = check("discretionary_exclusions", context(sent, snapshot=snapshot))
    assert verdict.outcome == O.REFER
    assert verdict.reason == (
        "The supplier declared insolvency: “A company voluntary arrangement agreed in March "
        "2025.”. Self-cleaning given: “All payments under the arrangement are up to date.”."
    )


def test_a_discretionary_ground_without_self_cleaning_says_so(sent: Application) -> None:
    snapshot = changed(
        sent, dx_conflict_of_interest="yes", dx_conflict_of_interest_details="A trustee's son."
    )
    verdict = check("discretionary_exclusions", context(sent, snapshot=snapshot))
    assert verdict.outcome == O.REFER
    assert verdict.reason.endswith("No self-cleaning was given.")
    assert "a conflict of interest" in verdict.reason


# --- insurance ------------------------------------------------------------------------------


def test_insurance_at_the_lots_levels_and_in_date_passes(sent: Application) -> None:
    verdict = check("insurance", context(sent, lot=1))
    assert verdict.outcome == O.PASS
    covers = verdict.evidence["covers"]
    assert covers["public_liability"]["cover_pence"] == 5_000_000 * POUNDS
    assert covers["public_liability"]["minimum_pence"] == 5_000_000 * POUNDS
    # Lot 2 sets no minimum for professional indemnity: that cover is not looked at.
    assert (
        "professional_indemnity" not in check("insurance", context(sent, lot=2)).evidence["covers"]
    )


def test_cover_below_the_lots_minimum_fails_with_both_amounts(
    sent: Application, world: World
) -> None:
    world.lots[1].min_public_liability_pence = 10_000_000 * POUNDS
    verdict = check("insurance", context(sent, lot=1))
    assert verdict.outcome == O.FAIL
    assert verdict.reason == (
        "Public liability cover of £5,000,000 is below Lot 1’s minimum of £10,000,000."
    )
    assert check("insurance", context(sent, lot=2)).outcome == O.PASS


def test_a_certificate_that_has_expired_by_today_fails(sent: Application) -> None:
    expiry = date.fromisoformat(kept(sent)["answers"]["public_liability_expiry"])
    verdict = check("insurance", context(sent, lot=2, today=expiry))
    assert verdict.outcome == O.FAIL
    assert "Public liability insurance expired on" in verdict.reason
    assert "The public liability insurance certificate expired on" in verdict.reason


def test_employers_liability_does_not_apply_without_employees(sent: Application) -> None:
    snapshot = changed(sent, employers_liability_cover=None, employers_liability_expiry=None)
    snapshot["context"]["employees"] = 0
    snapshot["documents"] = [d for d in snapshot["documents"] if d["kind"] != "employers_liability"]
    verdict = check("insurance", context(sent, lot=1, snapshot=snapshot))
    assert verdict.outcome == O.PASS
    assert verdict.evidence["covers"]["employers_liability"]["applies"] is False


def test_insurance_is_not_applicable_to_a_lot_that_asks_for_none(
    sent: Application, world: World
) -> None:
    for name in ("employers", "public", "professional"):
        field = "indemnity" if name == "professional" else "liability"
        setattr(world.lots[2], f"min_{name}_{field}_pence", 0)
    verdict = check("insurance", context(sent, lot=2))
    assert (verdict.outcome, verdict.reason) == (
        O.NOT_APPLICABLE,
        "Lot 2 sets no minimum insurance.",
    )


def test_a_cover_not_answered_fails(sent: Application) -> None:
    snapshot = changed(sent, professional_indemnity_cover=None)
    verdict = check("insurance", context(sent, lot=1, snapshot=snapshot))
    assert verdict.outcome == O.FAIL
    assert verdict.reason == "Professional indemnity insurance: no amount of cover was sent."


# --- financial standing ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("threshold_pounds", "outcome"),
    [(1_000_000, O.PASS), (1_250_000, O.PASS), (1_250_001, O.FAIL)],
)
def test_turnover_against_the_lots_threshold(
    sent: Application, world: World, threshold_pounds: int, outcome: CheckOutcome
) -> None:
    world.lots[1].min_annual_turnover_pence = threshold_pounds * POUNDS
    verdict = check("financial_standing", context(sent, lot=1))
    assert verdict.outcome == outcome
    assert verdict.evidence["turnover_pence"] == 1_250_000 * POUNDS
    assert verdict.evidence["threshold_pence"] == threshold_pounds * POUNDS


def test_turnover_below_the_threshold_names_both_figures(sent: Application, world: World) -> None:
    world.lots[2].min_annual_turnover_pence = 2_000_000 * POUNDS
    verdict = check("financial_standing", context(sent, lot=2))
    assert verdict.reason == (
        "Latest annual turnover of £1,250,000 is below Lot 2’s minimum of £2,000,000."
    )


def test_a_new_organisations_other_evidence_is_referred(sent: Application) -> None:
    snapshot = changed(
        sent,
        accounts_available="too_new",
        annual_turnover=None,
        turnover_year_end=None,
        trading_months=7,
        alternative_evidence="A bank reference and management accounts to October.",
    )
    verdict = check("financial_standing", context(sent, lot=1, snapshot=snapshot))
    assert verdict.outcome == O.REFER
    assert "trading for 7 months" in verdict.reason
    assert "“A bank reference and management accounts to October.”" in verdict.reason
    assert verdict.evidence["alternative_evidence"].startswith("A bank reference")


def test_no_threshold_is_not_applicable(sent: Application, world: World) -> None:
    world.lots[1].min_annual_turnover_pence = 0
    verdict = check("financial_standing", context(sent, lot=1))
    assert verdict.outcome == O.NOT_APPLICABLE


# --- duplicate organisation -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        ("Co-operative Futures Ltd", "CO-OPERATIVE FUTURES LIMITED", True),
        ("Co-operative Futures Ltd.", "co operative  futures", True),
        ("Capacity Works CIC", "Capacity Works", True),
        ("Northern Digital PLC", "northern digital plc", True),
        ("Co-operative Futures Ltd", "Co-operative Features Ltd", False),
        ("Limited Editions Ltd", "Editions", False),
    ],
)
def test_names_compared_after_normalising(one: str, other: str, same: bool) -> None:
    assert names_match(one, other) is same


def test_no_other_organisation_alike_passes(sent: Application) -> None:
    verdict = check("duplicate_organisation", context(sent))
    assert verdict.outcome == O.PASS
    assert verdict.evidence["matches"] == []


def test_another_organisation_with_the_same_company_number_is_referred(
    sent: Application, world: World
) -> None:
    db.session.add(
        SupplierProfile(
            organisation_id=world.rival.id,
            legal_name="Rival Consulting Ltd",
            companies_house_number="09345678",
        )
    )
    db.session.commit()
    verdict = check("duplicate_organisation", context(sent))
    assert verdict.outcome == O.REFER
    assert verdict.reason == (
        f"Rival Consulting Ltd (organisation {world.rival.id}) has the same Companies House "
        "number 09345678. Check whether they are the same organisation."
    )


def test_another_organisation_with_the_same_name_is_referred(sent: Application) -> None:
    twin = make_supplier("CO-OPERATIVE FUTURES LIMITED")
    db.session.add(SupplierProfile(organisation_id=twin.id, legal_name=twin.name))
    db.session.commit()
    verdict = check("duplicate_organisation", context(sent))
    assert verdict.outcome == O.REFER
    assert verdict.evidence["matches"] == [
        {"organisation_id": twin.id, "name": "CO-OPERATIVE FUTURES LIMITED", "same": ["name"]}
    ]


# --- documents ------------------------------------------------------------------------------


def test_every_document_present_in_date_and_unchanged_passes(sent: Application) -> None:
    verdict = check("documents", context(sent))
    assert verdict.outcome == O.PASS
    assert verdict.evidence["required"] == [
        "employers_liability",
        "public_liability",
        "professional_indemnity",
        "accounts",
        "data_protection_policy",
        "health_and_safety_policy",
        "equality_policy",
    ]
    assert all(found["matches"] for found in verdict.evidence["documents"])


def test_a_stored_file_that_changed_fails(sent: Application) -> None:
    accounts = next(d for d in kept(sent)["documents"] if d["kind"] == "accounts")
    path = stored_path(accounts["id"])
    path.chmod(0o600)
    path.write_bytes(b"%PDF-1.4\nsomething else entirely\n%%EOF\n")
    verdict = check("documents", context(sent))
    assert verdict.outcome == O.FAIL
    assert verdict.reason == (
        "Latest annual accounts (accounts.pdf) no longer matches its SHA-256 checksum: "
        "the stored file has changed or is missing."
    )


def test_a_stored_file_that_is_gone_fails(sent: Application) -> None:
    equality = next(d for d in kept(sent)["documents"] if d["kind"] == "equality_policy")
    stored_path(equality["id"]).unlink()
    verdict = check("documents", context(sent))
    assert verdict.outcome == O.FAIL
    assert [d["id"] for d in verdict.evidence["documents"] if not d["matches"]] == [equality["id"]]


def test_a_required_document_missing_or_expired_fails(sent: Application) -> None:
    snapshot = kept(sent)
    snapshot["documents"] = [d for d in snapshot["documents"] if d["kind"] != "accounts"]
    expiry = date.fromisoformat(
        next(d for d in snapshot["documents"] if d["kind"] == "public_liability")["expires_on"]
    )
    verdict = check("documents", context(sent, snapshot=snapshot, today=expiry))
    assert verdict.outcome == O.FAIL
    assert "No latest annual accounts was sent." in verdict.reason
    assert "Public liability insurance certificate expired on" in verdict.reason
    assert verdict.evidence["missing"] == ["accounts"]


def test_a_document_store_that_cannot_be_read_is_a_passing_fault(
    sent: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreadable(document: Any) -> bool:
        raise ConnectionResetError("the store reset the connection")

    monkeypatch.setattr(documents, "verify_checksum", unreadable)
    with pytest.raises(TransientCheckError, match="could not be read"):
        check("documents", context(sent))


def test_completeness_reads_the_answers_as_on_the_day_they_were_sent(
    sent: Application,
) -> None:
    # Expiry dates had to be in the future when sent; years later they are read as then.
    later = TODAY + timedelta(days=4000)
    assert check("completeness", context(sent, lot=1, today=later)).outcome == O.PASS
