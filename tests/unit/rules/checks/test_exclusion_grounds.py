"""The mandatory and discretionary exclusion grounds' verdicts on plain answers: no database."""

from __future__ import annotations

from dps.rules.checks.discretionary_exclusions import discretionary_exclusions
from dps.rules.checks.exclusion_grounds import listed
from dps.rules.checks.mandatory_exclusions import GROUNDS as MANDATORY
from dps.rules.checks.mandatory_exclusions import mandatory_exclusions
from dps.rules.enums import CheckOutcome

NO_MANDATORY = dict.fromkeys(MANDATORY, "no")


def test_grounds_are_listed_as_a_sentence_reads_them() -> None:
    assert listed([]) == ""
    assert listed(["fraud"]) == "fraud"
    assert listed(["fraud", "bribery"]) == "fraud and bribery"
    assert listed(["fraud", "bribery", "corruption"]) == "fraud, bribery and corruption"


def test_no_mandatory_ground_declared_passes() -> None:
    verdict = mandatory_exclusions(NO_MANDATORY)
    assert verdict.outcome == CheckOutcome.PASS
    assert verdict.reason == "The supplier declared none of the 8 mandatory exclusion grounds."


def test_a_mandatory_ground_declared_fails_with_its_details_in_the_evidence() -> None:
    answers = NO_MANDATORY | {"mx_fraud": "yes", "mx_fraud_details": " Convicted in 2019 "}
    verdict = mandatory_exclusions(answers)
    assert verdict.outcome == CheckOutcome.FAIL
    assert verdict.reason == "The supplier declared a mandatory exclusion ground: fraud."
    assert verdict.evidence["grounds"]["mx_fraud"]["details"] == "Convicted in 2019"


def test_an_unanswered_mandatory_ground_refers() -> None:
    answers = {key: value for key, value in NO_MANDATORY.items() if key != "mx_bribery"}
    verdict = mandatory_exclusions(answers)
    assert verdict.outcome == CheckOutcome.REFER
    assert verdict.reason == "No answer was sent about bribery. Ask the supplier."


def test_a_ground_the_questionnaire_adds_is_read_by_its_prefix() -> None:
    verdict = mandatory_exclusions(NO_MANDATORY | {"mx_new_offence": "yes"})
    assert verdict.outcome == CheckOutcome.FAIL
    assert "new offence" in verdict.reason


def test_a_discretionary_ground_refers_quoting_the_self_cleaning() -> None:
    verdict = discretionary_exclusions(
        {
            "dx_insolvency": "yes",
            "dx_insolvency_details": "A creditors' arrangement",
            "dx_insolvency_self_cleaning": "Paid in full",
        }
    )
    assert verdict.outcome == CheckOutcome.REFER
    assert verdict.reason.startswith(
        "The supplier declared insolvency: “A creditors' arrangement”. "
        "Self-cleaning given: “Paid in full”."
    )
