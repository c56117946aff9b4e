"""Deciding an application lot by lot, and extending the decision clock once.

Each lot is decided on its own, once (``lifecycles.LOT_OUTCOME``): admitted, or rejected with
reasons (free text and at least one reason code). The checks' recommendation is advice; the
administrator always decides. An admitted lot puts the supplier in that lot's pool
(``dps.services.pool.admissions``); a rejected supplier may apply again, since a decided
application holds no lot. When every lot is decided the application is decided, and it is never
changed again.

One letter per lot decision, sent when that lot is decided: a supplier admitted to one lot
hears at once rather than waiting on the other, and the officer previews exactly the letter
that goes. The letter says which lots are still being considered, or that the application is
now fully decided.

The clock (DESIGN §3) runs from receipt, through checks and clarifications alike: 10 working
days, extendable once, with a recorded justification, to 15 and never beyond.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from dps.extensions import db
from dps.models.accounts import User
from dps.models.applications import Application, ApplicationLot
from dps.models.base import utcnow
from dps.outside.tokens import email_link
from dps.rules import pcr2015
from dps.rules.enums import ApplicationStatus, LotOutcome
from dps.rules.lifecycles import APPLICATION, LOT_OUTCOME, UNDECIDED
from dps.rules.refusals import Refusal
from dps.rules.timefmt import format_date
from dps.services.common import audit
from dps.services.common.statemachine import move
from dps.services.pool import admissions
from dps.services.qualification import letters, work_queue
from dps.services.qualification.letters import Letter

S = ApplicationStatus

# Why a lot is refused, in the order the letter lists them.
REASON_CODES: dict[str, str] = {
    "mandatory_exclusion": "Mandatory grounds for exclusion",
    "discretionary_exclusion": "Discretionary grounds for exclusion",
    "financial_standing": "Economic and financial standing",
    "insurance": "Insurance cover",
    "technical_ability": "Technical and professional ability",
    "incomplete": "The application was incomplete",
}
REASONS_MAX_LENGTH = 5000
JUSTIFICATION_MAX_LENGTH = 2000


class DecisionRefused(Refusal):
    """A decision or extension the rules do not allow; ``field`` is where the message belongs."""


@dataclass(frozen=True)
class Decision:
    outcome: LotOutcome | None
    reasons: str = ""
    codes: tuple[str, ...] = field(default=())

    @classmethod
    def of(
        cls, outcome: LotOutcome | str | None, reasons: str | None, codes: Iterable[str]
    ) -> Decision:
        chosen = LotOutcome(outcome) if outcome in set(LotOutcome) else None
        wanted = set(codes)
        ordered = tuple(code for code in REASON_CODES if code in wanted)
        unknown = tuple(sorted(wanted - set(REASON_CODES)))
        return cls(chosen, (reasons or "").strip(), ordered + unknown)

    @property
    def code_labels(self) -> list[str]:
        return [REASON_CODES.get(code, code) for code in self.codes]


# --- The rules --------------------------------------------------------------------------------


def lot_of(application: Application, lot_id: int) -> ApplicationLot | None:
    return next((al for al in application.lots if al.lot_id == lot_id), None)


def check(application: Application, lot_id: int, decision: Decision) -> ApplicationLot:
    """The lot to decide, if this decision may be made now; otherwise DecisionRefused."""
    al = lot_of(application, lot_id)
    if al is None:
        raise DecisionRefused(f"Application {application.reference} is not for that lot.")
    if not LOT_OUTCOME.targets(al.outcome):
        raise DecisionRefused(f"{al.lot.name} has already been decided: a decision is final.")
    if application.status != S.READY_FOR_REVIEW:
        raise DecisionRefused(_not_ready_message(application))
    if decision.outcome is None or not LOT_OUTCOME.allowed(al.outcome, decision.outcome):
        raise DecisionRefused("Select whether to admit or reject", field="outcome")
    if decision.outcome == LotOutcome.REJECTED:
        if not decision.codes:
            raise DecisionRefused("Select at least one reason for rejecting", field="codes")
        if any(code not in REASON_CODES for code in decision.codes):
            raise DecisionRefused("Select reasons from the list", field="codes")
        if not decision.reasons:
            raise DecisionRefused(
                "Explain the reasons for rejecting, for the supplier", field="reasons"
            )
        if len(decision.reasons) > REASONS_MAX_LENGTH:
            raise DecisionRefused(
                f"The reasons must be {REASONS_MAX_LENGTH} characters or fewer", field="reasons"
            )
    return al


def _not_ready_message(application: Application) -> str:
    return {
        S.SUBMITTED: "The checks have not started yet: decide once they have finished.",
        S.CHECKING: "The checks are still running: decide once they have finished.",
        S.CLARIFICATION_REQUESTED: (
            "We are waiting for the supplier to answer a clarification request: decide once "
            "it has answered."
        ),
        S.DECIDED: f"Application {application.reference} has been decided: it cannot change.",
        S.WITHDRAWN: f"The supplier withdrew application {application.reference}.",
    }.get(application.status, "This application cannot be decided now.")


# --- The letter -------------------------------------------------------------------------------


def letter(application: Application, lot_id: int, decision: Decision) -> Letter:
    """The letter this decision would send, for the officer to read before confirming."""
    return _letter(application, check(application, lot_id, decision), decision)


def _letter(application: Application, al: ApplicationLot, decision: Decision) -> Letter:
    still_to_decide = [
        other.lot
        for other in application.lots
        if other.id != al.id and other.outcome == LotOutcome.PENDING
    ]
    admitted = decision.outcome == LotOutcome.ADMITTED
    subject = (
        f"Application {application.reference}: admitted to Lot {al.lot.number}"
        if admitted
        else f"Application {application.reference}: not admitted to Lot {al.lot.number}"
    )
    body = letters.render(
        "emails/decision_admitted.txt" if admitted else "emails/decision_rejected.txt",
        application=application,
        lot=al.lot,
        decision=decision,
        still_to_decide=still_to_decide,
        link=email_link("supplier.application", application_id=application.id),
    )
    to = letters.recipients(application.organisation_id, sender_id=application.submitted_by_id)
    return Letter(to=to, subject=subject, body=body)


# --- Deciding ---------------------------------------------------------------------------------


def decide_lot(
    application_id: int,
    lot_id: int,
    outcome: LotOutcome | str | None,
    reasons: str | None,
    codes: Iterable[str],
    actor: User,
    *,
    at: datetime | None = None,
) -> ApplicationLot:
    """Decide one lot of the application, send the letter, and admit the supplier if admitted.

    Refused (DecisionRefused, nothing changed) unless the application is ready for review, the
    lot is still undecided and a rejection carries its reasons.
    """
    at = at or utcnow()
    application = work_queue.get_application(application_id)
    if application is None:
        raise DecisionRefused("There is no such application.")
    work_queue.lock(application)
    decision = Decision.of(outcome, reasons, codes)
    al = check(application, lot_id, decision)
    sent = _letter(application, al, decision)
    recommended = work_queue.recommendations(application).get(al.lot_id)

    assert decision.outcome is not None  # check() refused a decision without one
    undecided = al.outcome
    LOT_OUTCOME.check(undecided, decision.outcome)  # decided once: pending -> admitted/rejected
    al.outcome = decision.outcome
    al.reasons = decision.reasons or None
    al.reason_codes = list(decision.codes)
    al.decided_at = at
    al.decided_by_id = actor.id
    audit.record(
        "application.lot_decided",
        application,
        actor=actor,
        before={"lot": al.lot.number, "outcome": str(undecided)},
        after={
            "lot": al.lot.number,
            "outcome": str(al.outcome),
            "reasons": al.reasons,
            "reason_codes": al.reason_codes,
            "recommendation": str(recommended) if recommended else None,
        },
    )
    if al.outcome == LotOutcome.ADMITTED:
        admissions.admit(application, al.lot, actor=actor, at=at)
    if all(other.outcome != LotOutcome.PENDING for other in application.lots):
        move(
            APPLICATION,
            application,
            S.DECIDED,
            actor=actor,
            lots={str(other.lot.number): str(other.outcome) for other in application.lots},
        )
        application.decided_at = at
    letters.send(sent, dedupe_key=f"decision-lot-{al.id}")
    db.session.commit()
    return al


# --- The clock --------------------------------------------------------------------------------


def can_extend(application: Application) -> bool:
    return application.status in UNDECIDED and not application.clock_extended


def extend_clock(
    application: Application, justification: str, *, actor: User, at: datetime | None = None
) -> Application:
    """Extend the time to decide from 10 to 15 working days after receipt, once, with a reason.

    Refused once decided or withdrawn, a second time, without a justification, and once the
    10-day limit has passed (an extension cannot make a late decision on time).
    """
    at = at or utcnow()
    work_queue.lock(application)
    justification = justification.strip()
    if application.status not in UNDECIDED or application.submitted_at is None:
        raise DecisionRefused(
            f"Application {application.reference} is not waiting for a decision, so there is "
            "no clock to extend."
        )
    if application.clock_extended:
        raise DecisionRefused(
            "The time to decide has already been extended to "
            f"{pcr2015.EVALUATION_WORKING_DAYS_EXTENDED} working days, the most the regulations "
            "allow. It cannot be extended again."
        )
    due = application.decision_due_at
    if due is not None and at > due:
        raise DecisionRefused(
            f"The decision was due by 11:59pm on {format_date(due)}. It is too late to extend "
            "the time to decide."
        )
    if not justification:
        raise DecisionRefused("Explain why more time is justified", field="justification")
    if len(justification) > JUSTIFICATION_MAX_LENGTH:
        raise DecisionRefused(
            f"The justification must be {JUSTIFICATION_MAX_LENGTH} characters or fewer",
            field="justification",
        )
    extended_due = pcr2015.decision_due_at(application.submitted_at, extended=True)
    application.clock_extended = True
    application.clock_extension_reason = justification
    application.decision_due_at = extended_due
    audit.record(
        "application.clock_extended",
        application,
        actor=actor,
        before={"decision_due_at": due.isoformat() if due else None},
        after={"decision_due_at": extended_due.isoformat(), "justification": justification},
    )
    letters.send(
        Letter(
            to=letters.recipients(
                application.organisation_id, sender_id=application.submitted_by_id
            ),
            subject=f"Application {application.reference}: we need more time to decide",
            body=letters.render(
                "emails/decision_clock_extended.txt",
                application=application,
                link=email_link("supplier.application", application_id=application.id),
            ),
        ),
        dedupe_key=f"decision-clock-extended-{application.id}",
    )
    db.session.commit()
    return application


def extended_due_at(application: Application) -> datetime | None:
    """When the decision would be due if the clock were extended (for the officer to see)."""
    if application.submitted_at is None:
        return None
    return pcr2015.decision_due_at(application.submitted_at, extended=True)
