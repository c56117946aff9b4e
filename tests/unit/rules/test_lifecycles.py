"""Every lifecycle's table of allowed moves: what may follow what, and an illegal move refused."""

from __future__ import annotations

import itertools

import pytest

from dps.rules import lifecycles
from dps.rules.enums import CallOffStatus, TenderStatus
from dps.rules.lifecycles import IllegalTransition

C = CallOffStatus
T = TenderStatus

CALL_OFF_MOVES = {
    (C.DRAFT, C.PUBLISHED),
    (C.PUBLISHED, C.CLOSED),
    (C.CLOSED, C.EVALUATED),
    (C.EVALUATED, C.AWARDED),
    # cancelled only before the tenders are opened; after that, a decision not to award
    (C.DRAFT, C.CANCELLED),
    (C.PUBLISHED, C.CANCELLED),
    # reg. 55: a decision not to award, before or after the ranking is settled
    (C.CLOSED, C.NOT_AWARDED),
    (C.EVALUATED, C.NOT_AWARDED),
}
TENDER_MOVES = {
    (T.DRAFT, T.SUBMITTED),
    (T.DRAFT, T.WITHDRAWN),
    (T.SUBMITTED, T.SUBMITTED),  # revised before the deadline
    (T.SUBMITTED, T.WITHDRAWN),
    (T.SUBMITTED, T.OPENED),
    (T.WITHDRAWN, T.DRAFT),
    (T.OPENED, T.SCORED),
    (T.OPENED, T.UNSUCCESSFUL),  # rejected as abnormally low, or no award made
    (T.SCORED, T.SUCCESSFUL),
    (T.SCORED, T.UNSUCCESSFUL),
}


@pytest.mark.parametrize(("current", "target"), list(itertools.product(C, C)))
def test_a_call_off_moves_only_along_its_table(current: C, target: C) -> None:
    allowed = (current, target) in CALL_OFF_MOVES
    assert lifecycles.CALL_OFF.allowed(current, target) == allowed
    if not allowed:
        with pytest.raises(IllegalTransition, match=f"cannot go from {current} to {target}"):
            lifecycles.CALL_OFF.check(current, target)


@pytest.mark.parametrize(("current", "target"), list(itertools.product(T, T)))
def test_a_tender_moves_only_along_its_table(current: T, target: T) -> None:
    assert lifecycles.TENDER.allowed(current, target) == ((current, target) in TENDER_MOVES)


def test_an_awarded_or_cancelled_call_off_goes_nowhere() -> None:
    assert lifecycles.CALL_OFF.targets(C.AWARDED) == frozenset()
    assert lifecycles.CALL_OFF.targets(C.CANCELLED) == frozenset()
    assert lifecycles.CALL_OFF.targets(C.NOT_AWARDED) == frozenset()
    assert {C.PUBLISHED} == lifecycles.CALL_OFF_OPEN


def test_a_call_off_with_its_tenders_opened_is_never_cancelled() -> None:
    assert C.CANCELLED not in lifecycles.CALL_OFF.targets(C.CLOSED)
    assert C.CANCELLED not in lifecycles.CALL_OFF.targets(C.EVALUATED)


def test_a_withdrawn_or_draft_tender_is_never_opened() -> None:
    assert not lifecycles.TENDER.allowed(T.DRAFT, T.OPENED)
    assert not lifecycles.TENDER.allowed(T.WITHDRAWN, T.OPENED)
