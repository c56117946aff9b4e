"""Questionnaire completeness, per lot: every question asked of that lot answered, and valid,
in the snapshot — read against the questionnaire version it was answered in, on the day sent."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dps.rules.checks.verdict import CheckVerdict
from dps.rules.enums import CheckOutcome


@dataclass(frozen=True)
class Gap:
    """One answer missing or not valid: the section it is in, its question, and why."""

    section: str
    question_id: str
    message: str


def questionnaire_not_on_record(kept: Mapping[str, Any]) -> CheckVerdict:
    """The questionnaire the answers were given in (``kept`` by the snapshot) is not on record."""
    return CheckVerdict(
        CheckOutcome.ERROR,
        f"The questionnaire the answers were given in ({answered_in(kept)}) is not on record.",
        {"questionnaire": dict(kept)},
    )


def answered_in(kept: Mapping[str, Any]) -> str:
    return f"{kept.get('key')} version {kept.get('version')}"


def completeness(lot_number: int, kept: Mapping[str, Any], gaps: Sequence[Gap]) -> CheckVerdict:
    """The verdict on one lot from the gaps found in its questionnaire (``kept``: which one)."""
    evidence = {
        "lot": lot_number,
        "questionnaire": answered_in(kept),
        "gaps": [
            {"section": gap.section, "question": gap.question_id, "message": gap.message}
            for gap in gaps
        ],
    }
    if not gaps:
        return CheckVerdict(
            CheckOutcome.PASS,
            f"Every question asked for Lot {lot_number} was answered.",
            evidence,
        )
    count = "1 answer is" if len(gaps) == 1 else f"{len(gaps)} answers are"
    listing = "; ".join(f"{gap.section}: {gap.message}" for gap in gaps)
    return CheckVerdict(
        CheckOutcome.FAIL,
        f"{count} missing or not valid for Lot {lot_number}. {listing}.",
        evidence,
    )
