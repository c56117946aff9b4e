"""Every lifecycle's table of allowed moves (DESIGN §4), in one place.

A ``Lifecycle`` is plain data: which state may follow which. It answers "may this move happen?"
and refuses an illegal one with ``IllegalTransition``; moving a stored object and auditing the
move is the services' part (``dps.services.common.statemachine``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from dps.rules.enums import (
    AdmissionStatus,
    ApplicationStatus,
    CallOffStatus,
    LotOutcome,
    RenewalStatus,
    TenderStatus,
)

S = TypeVar("S")


class IllegalTransition(Exception):
    """A move the lifecycle does not allow: a fault in the code, never a person's mistake."""


@dataclass(frozen=True)
class Lifecycle(Generic[S]):
    name: str
    transitions: Mapping[S, frozenset[S]]
    attribute: str = "status"

    def allowed(self, current: S, target: S) -> bool:
        return target in self.transitions.get(current, frozenset())

    def targets(self, current: S) -> frozenset[S]:
        """Where an object in ``current`` may go next (for offering only the possible actions)."""
        return self.transitions.get(current, frozenset())

    def check(self, current: S, target: S) -> None:
        """Raise ``IllegalTransition`` unless ``current`` may become ``target``."""
        if not self.allowed(current, target):
            raise IllegalTransition(f"{self.name}: cannot go from {current} to {target}")


_A = ApplicationStatus
APPLICATION = Lifecycle[ApplicationStatus](
    name="application",
    transitions={
        _A.DRAFT: frozenset({_A.SUBMITTED, _A.WITHDRAWN}),
        _A.SUBMITTED: frozenset({_A.CHECKING, _A.WITHDRAWN}),
        _A.CHECKING: frozenset({_A.READY_FOR_REVIEW, _A.WITHDRAWN}),
        _A.READY_FOR_REVIEW: frozenset({_A.CLARIFICATION_REQUESTED, _A.DECIDED, _A.WITHDRAWN}),
        _A.CLARIFICATION_REQUESTED: frozenset({_A.READY_FOR_REVIEW, _A.WITHDRAWN}),
    },
)
# Sent in, not yet decided: an application in one of these holds its lots.
UNDECIDED = frozenset({_A.SUBMITTED, _A.CHECKING, _A.READY_FOR_REVIEW, _A.CLARIFICATION_REQUESTED})
# Over: a new application may follow one of these.
OVER = frozenset({_A.DECIDED, _A.WITHDRAWN})

# Each lot of an application: decided once, admitted or rejected (with reasons).
LOT_OUTCOME = Lifecycle[LotOutcome](
    name="application_lot",
    transitions={LotOutcome.PENDING: frozenset({LotOutcome.ADMITTED, LotOutcome.REJECTED})},
    attribute="outcome",
)

_P = AdmissionStatus
ADMISSION = Lifecycle[AdmissionStatus](
    name="admission",
    transitions={
        _P.ADMITTED: frozenset({_P.SUSPENDED, _P.REMOVED}),
        _P.SUSPENDED: frozenset({_P.ADMITTED, _P.REMOVED}),
    },
)
# In a lot's pool: a suspended supplier is still admitted, so it cannot apply again.
HOLDS_A_PLACE = frozenset({_P.ADMITTED, _P.SUSPENDED})

RENEWAL = Lifecycle[RenewalStatus](
    name="renewal",
    transitions={
        RenewalStatus.REQUESTED: frozenset({RenewalStatus.CONFIRMED, RenewalStatus.CANCELLED})
    },
)

_C = CallOffStatus
# A call-off (mini-competition): cancelled, with a reason, only before its tenders are opened;
# after that it ends in an award or a decision not to award, told to every bidder (reg. 55).
CALL_OFF = Lifecycle[CallOffStatus](
    name="call_off",
    transitions={
        _C.DRAFT: frozenset({_C.PUBLISHED, _C.CANCELLED}),
        _C.PUBLISHED: frozenset({_C.CLOSED, _C.CANCELLED}),
        _C.CLOSED: frozenset({_C.EVALUATED, _C.NOT_AWARDED}),
        _C.EVALUATED: frozenset({_C.AWARDED, _C.NOT_AWARDED}),
    },
)
# Open for questions, tenders and changes: published, before the deadline.
CALL_OFF_OPEN = frozenset({_C.PUBLISHED})

_T = TenderStatus
# A tender: sent (and sent again when revised) or withdrawn until the deadline; opened once
# after it; then scored and told its outcome.
TENDER = Lifecycle[TenderStatus](
    name="tender",
    transitions={
        _T.DRAFT: frozenset({_T.SUBMITTED, _T.WITHDRAWN}),
        _T.SUBMITTED: frozenset({_T.SUBMITTED, _T.WITHDRAWN, _T.OPENED}),
        _T.WITHDRAWN: frozenset({_T.DRAFT}),
        # Unsuccessful without a score: rejected as abnormally low, or no award made.
        _T.OPENED: frozenset({_T.SCORED, _T.UNSUCCESSFUL}),
        _T.SCORED: frozenset({_T.SUCCESSFUL, _T.UNSUCCESSFUL}),
    },
)
