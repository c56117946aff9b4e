"""Where a sent application stands: the steps it goes through, which are done and which is now.

The supplier's application page draws these as a timeline, so it always says what has
happened, what is happening and when the decision is due (DESIGN §3: by 11:59pm London on the
10th working day after receipt, or the 15th when extended).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from dps.extensions import db
from dps.models.applications import Application
from dps.models.clarifications import ClarificationRequest
from dps.rules.enums import ApplicationStatus
from dps.rules.lifecycles import UNDECIDED

S = ApplicationStatus


class StepState(enum.StrEnum):
    DONE = "done"
    NOW = "now"
    TO_COME = "to_come"


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    state: StepState
    detail: str = ""
    # An instant; for a clarification, the day a reply is wanted by.
    when: datetime | date | None = None


# The order an application moves through; a step is done once the application is past it.
ORDER = (S.SUBMITTED, S.CHECKING, S.READY_FOR_REVIEW, S.DECIDED)


def outstanding_clarification(application: Application) -> ClarificationRequest | None:
    """The latest clarification request about the application still waiting for an answer."""
    return db.session.scalars(
        select(ClarificationRequest)
        .where(
            ClarificationRequest.application_id == application.id,
            ClarificationRequest.answered_at.is_(None),
        )
        .order_by(ClarificationRequest.requested_at.desc(), ClarificationRequest.id.desc())
        .limit(1)
    ).first()


def is_overdue(application: Application, at: datetime) -> bool:
    """Sent, not decided, and past the date the decision was due."""
    due = application.decision_due_at
    return application.status in UNDECIDED and due is not None and at > due


def timeline(application: Application) -> list[Step]:
    """The steps of a sent application, in order. A draft has none."""
    if application.submitted_at is None:
        return []
    status = application.status
    if status == S.WITHDRAWN:
        return [_received(application, StepState.DONE), _withdrawn(application)]
    reached = ORDER.index(S.READY_FOR_REVIEW if status == S.CLARIFICATION_REQUESTED else status)

    def state(step: ApplicationStatus) -> StepState:
        position = ORDER.index(step)
        if position < reached or status == S.DECIDED:
            return StepState.DONE
        return StepState.NOW if position == reached else StepState.TO_COME

    steps = [
        _received(application, state(S.SUBMITTED)),
        Step(
            "checks",
            "Automatic checks",
            state(S.CHECKING),
            {
                StepState.DONE: "We have checked your answers and documents.",
                StepState.NOW: "We are checking your answers and documents.",
                StepState.TO_COME: "We will check your answers and documents.",
            }[state(S.CHECKING)],
        ),
        Step(
            "review",
            "Review by Oldham Council",
            state(S.READY_FOR_REVIEW),
            {
                StepState.DONE: "Oldham Council has reviewed your application.",
                StepState.NOW: "Oldham Council is reviewing your application.",
                StepState.TO_COME: "An officer at Oldham Council will review your application.",
            }[state(S.READY_FOR_REVIEW)],
        ),
    ]
    if status == S.CLARIFICATION_REQUESTED:
        request = outstanding_clarification(application)
        detail = "We have asked you to clarify part of your application."
        if request is not None:
            detail += f" Our question: {request.question}"
        steps.append(
            Step(
                "clarification",
                "Clarification requested",
                StepState.NOW,
                detail,
                when=request.reply_by if request is not None else None,
            )
        )
    steps.append(_decision(application))
    return steps


def _received(application: Application, state: StepState) -> Step:
    detail = (
        "We have received your application."
        if state == StepState.NOW
        else "We received your application."
    )
    return Step("received", "Application received", state, detail, when=application.submitted_at)


def _withdrawn(application: Application) -> Step:
    detail = "You withdrew this application."
    if application.withdrawal_reason:
        detail += f" Your reason: {application.withdrawal_reason}"
    return Step("withdrawn", "Withdrawn", StepState.DONE, detail, when=application.withdrawn_at)


def _decision(application: Application) -> Step:
    if application.status == S.DECIDED:
        return Step(
            "decision",
            "Decision",
            StepState.DONE,
            "We have decided your application. The outcome for each lot is below.",
            when=application.decided_at,
        )
    detail = "We will tell you our decision on each lot by email."
    if application.clock_extended:
        detail += " We have extended the time we need to decide, as the regulations allow."
    return Step(
        "decision", "Decision due", StepState.TO_COME, detail, when=application.decision_due_at
    )
