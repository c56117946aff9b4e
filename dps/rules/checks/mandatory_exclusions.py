"""Mandatory exclusion grounds (PCR 2015 reg. 57(1)-(3)): any "yes" fails.

The officer still decides, and sees the details and any self-cleaning given in the evidence.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dps.rules.checks.exclusion_grounds import grounds, listed, none_declared
from dps.rules.checks.verdict import CheckVerdict
from dps.rules.enums import CheckOutcome

# The grounds the questionnaire asks, by question id, named as a reason reads them.
GROUNDS = {
    "mx_criminal_organisation": "participation in a criminal organisation",
    "mx_corruption": "corruption",
    "mx_bribery": "bribery",
    "mx_fraud": "fraud",
    "mx_terrorism": "terrorist offences",
    "mx_money_laundering": "money laundering",
    "mx_modern_slavery": "modern slavery or human trafficking",
    "mx_tax": "not paying taxes or social security contributions (established by a decision)",
}


def mandatory_exclusions(answers: Mapping[str, Any]) -> CheckVerdict:
    found = grounds(answers, "mx_", GROUNDS)
    evidence = {"grounds": {ground.question_id: ground.evidence() for ground in found}}
    declared = [ground.name for ground in found if ground.answer == "yes"]
    if declared:
        return CheckVerdict(
            CheckOutcome.FAIL,
            f"The supplier declared a mandatory exclusion ground: {listed(declared)}.",
            evidence,
        )
    return none_declared(found, evidence, "mandatory")
