"""Discretionary exclusion grounds (PCR 2015 reg. 57(8)): any "yes" is for a person to weigh,
with the self-cleaning the supplier gave (reg. 57(13)), so it refers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dps.rules.checks.exclusion_grounds import Ground, grounds, none_declared
from dps.rules.checks.verdict import CheckVerdict
from dps.rules.enums import CheckOutcome

GROUNDS = {
    "dx_environmental_social_labour": "breaching environmental, social or labour law",
    "dx_insolvency": "insolvency",
    "dx_professional_misconduct": "grave professional misconduct",
    "dx_distorting_competition": "agreements distorting competition",
    "dx_conflict_of_interest": "a conflict of interest",
    "dx_prior_involvement": "prior involvement in preparing the DPS",
    "dx_prior_contract_deficiencies": "significant or persistent deficiencies in a prior contract",
    "dx_misrepresentation": "serious misrepresentation",
    "dx_undue_influence": "undue influence on a decision",
    "dx_tax_other": "not paying taxes or social security contributions",
}


def discretionary_exclusions(answers: Mapping[str, Any]) -> CheckVerdict:
    found = grounds(answers, "dx_", GROUNDS)
    evidence = {"grounds": {ground.question_id: ground.evidence() for ground in found}}
    declared = [ground for ground in found if ground.answer == "yes"]
    if declared:
        return CheckVerdict(
            CheckOutcome.REFER,
            " ".join(_declaration(ground) for ground in declared),
            evidence,
        )
    return none_declared(found, evidence, "discretionary")


def _declaration(ground: Ground) -> str:
    said = f"The supplier declared {ground.name}"
    said += f": “{ground.details}”." if ground.details else "."
    if ground.self_cleaning:
        return f"{said} Self-cleaning given: “{ground.self_cleaning}”."
    return f"{said} No self-cleaning was given."
