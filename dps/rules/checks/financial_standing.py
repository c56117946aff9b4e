"""Economic and financial standing, per lot: the latest annual turnover against the lot's
minimum (PCR 2015 reg. 58(8)); an organisation too new for a year's accounts gives other
evidence, which a person weighs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dps.rules.checks.verdict import CheckVerdict
from dps.rules.enums import CheckOutcome
from dps.rules.timefmt import format_pence

# The questionnaire's question about accounts, and the answer of an organisation too new to
# have a full year's (the same ids as dps.services.suppliers.documents reads).
ACCOUNTS_QUESTION_ID = "accounts_available"
ACCOUNTS_TOO_NEW_ANSWER = "too_new"


def financial_standing(
    answers: Mapping[str, Any], lot_number: int, min_turnover_pence: int
) -> CheckVerdict:
    threshold = min_turnover_pence
    turnover = answers.get("annual_turnover")
    evidence: dict[str, Any] = {
        "lot": lot_number,
        "threshold_pence": threshold,
        "turnover_pence": turnover,
        "year_ended": answers.get("turnover_year_end"),
    }
    if answers.get(ACCOUNTS_QUESTION_ID) == ACCOUNTS_TOO_NEW_ANSWER:
        if threshold == 0:
            return _no_minimum(lot_number, evidence)
        evidence.update(
            trading_months=answers.get("trading_months"),
            alternative_evidence=answers.get("alternative_evidence"),
        )
        return CheckVerdict(
            CheckOutcome.REFER,
            f"Too new for a full year’s accounts (trading for "
            f"{answers.get('trading_months', 'an unknown number of')} months). Weigh the "
            f"evidence given instead against Lot {lot_number}’s minimum turnover of "
            f"{format_pence(threshold)}: “{answers.get('alternative_evidence', '')}”.",
            evidence,
        )
    if not isinstance(turnover, int):
        return CheckVerdict(
            CheckOutcome.REFER,
            "No annual turnover was sent. Ask the supplier for it.",
            evidence,
        )
    if threshold == 0:
        return _no_minimum(lot_number, evidence)
    if turnover >= threshold:
        return CheckVerdict(
            CheckOutcome.PASS,
            f"Latest annual turnover of {format_pence(turnover)} meets Lot {lot_number}’s "
            f"minimum of {format_pence(threshold)}.",
            evidence,
        )
    return CheckVerdict(
        CheckOutcome.FAIL,
        f"Latest annual turnover of {format_pence(turnover)} is below Lot {lot_number}’s "
        f"minimum of {format_pence(threshold)}.",
        evidence,
    )


def _no_minimum(lot_number: int, evidence: dict[str, Any]) -> CheckVerdict:
    return CheckVerdict(
        CheckOutcome.NOT_APPLICABLE, f"Lot {lot_number} sets no minimum turnover.", evidence
    )
