"""The overall recommendation for a lot from its checks' outcomes: no database, no app."""

from __future__ import annotations

import pytest

from dps.rules.checks.recommendation import recommendation
from dps.rules.enums import CheckOutcome, Recommendation

O = CheckOutcome  # noqa: E741


@pytest.mark.parametrize(
    ("outcomes", "recommended"),
    [
        ([O.PASS, O.PASS, O.NOT_APPLICABLE], Recommendation.ADMIT),
        ([O.PASS, O.FAIL, O.REFER], Recommendation.REJECT),
        ([O.FAIL, O.ERROR], Recommendation.REJECT),
        ([O.PASS, O.REFER], Recommendation.REFER),
        ([O.PASS, O.ERROR], Recommendation.REFER),
        ([O.PASS, None], Recommendation.REFER),  # a check not done
    ],
)
def test_the_recommendation_rules(
    outcomes: list[CheckOutcome | None], recommended: Recommendation
) -> None:
    assert recommendation(outcomes) == recommended
