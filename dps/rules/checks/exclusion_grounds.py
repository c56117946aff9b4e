"""Reading exclusion grounds from the answers: shared by the mandatory and discretionary checks.

A ground is a yes/no question (``mx_fraud``), with ``<id>_details`` and an optional
``<id>_self_cleaning`` (what the supplier has done to show it can be trusted despite it,
PCR 2015 reg. 57(13)) asked only when the answer is yes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dps.rules.checks.verdict import CheckVerdict
from dps.rules.enums import CheckOutcome

DETAIL_SUFFIXES = ("_details", "_self_cleaning")


@dataclass(frozen=True)
class Ground:
    question_id: str
    name: str
    answer: str | None  # "yes", "no", or None when not answered
    details: str
    self_cleaning: str

    def evidence(self) -> dict[str, Any]:
        return {
            "ground": self.name,
            "answer": self.answer,
            "details": self.details,
            "self_cleaning": self.self_cleaning,
        }


def grounds(answers: Mapping[str, Any], prefix: str, names: Mapping[str, str]) -> list[Ground]:
    """Every ground the questionnaire asks (``names``) and any other answered under ``prefix``."""
    asked = dict(names)
    for key in answers:
        if key.startswith(prefix) and not key.endswith(DETAIL_SUFFIXES) and key not in asked:
            asked[key] = key.removeprefix(prefix).replace("_", " ")
    return [
        Ground(
            question_id=key,
            name=name,
            answer=answers.get(key),
            details=str(answers.get(f"{key}_details") or "").strip(),
            self_cleaning=str(answers.get(f"{key}_self_cleaning") or "").strip(),
        )
        for key, name in asked.items()
    ]


def listed(names: list[str]) -> str:
    """'fraud', 'fraud and bribery', 'fraud, bribery and corruption'."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def none_declared(found: list[Ground], evidence: dict[str, Any], kind: str) -> CheckVerdict:
    """The verdict once no ground was declared: refer any left unanswered, else pass."""
    unanswered = [ground.name for ground in found if ground.answer != "no"]
    if unanswered:
        return CheckVerdict(
            CheckOutcome.REFER,
            f"No answer was sent about {listed(unanswered)}. Ask the supplier.",
            evidence,
        )
    return CheckVerdict(
        CheckOutcome.PASS,
        f"The supplier declared none of the {len(found)} {kind} exclusion grounds.",
        evidence,
    )
