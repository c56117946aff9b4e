"""A check's verdict: its outcome, a reason a person can read, and the evidence used."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dps.rules.enums import CheckOutcome


@dataclass(frozen=True)
class CheckVerdict:
    outcome: CheckOutcome
    reason: str
    evidence: dict[str, Any] = field(default_factory=dict)
