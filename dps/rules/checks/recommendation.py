"""The overall recommendation for a lot from its checks' outcomes; the administrator decides."""

from __future__ import annotations

from collections.abc import Iterable

from dps.rules.enums import CheckOutcome, Recommendation


def recommendation(outcomes: Iterable[CheckOutcome | None]) -> Recommendation:
    """All pass or not applicable: admit; any fail: reject; otherwise (refer, error, not done)
    a person must look: refer. Only a recommendation: the administrator decides."""
    found = list(outcomes)
    if CheckOutcome.FAIL in found:
        return Recommendation.REJECT
    if all(outcome in (CheckOutcome.PASS, CheckOutcome.NOT_APPLICABLE) for outcome in found):
        return Recommendation.ADMIT
    return Recommendation.REFER
