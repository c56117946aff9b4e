"""Admissions: a supplier's place in a lot's pool, and the administrators' changes to it.

An admission is made when an administrator admits a lot of an application. Afterwards it moves
only through ``LIFECYCLE`` (DESIGN §4): admitted -> suspended -> admitted, and admitted or
suspended -> removed. Every move is audited and the supplier is told by email. Only admitted
suppliers are invited to call-offs (``invitable_suppliers``); a suspended one keeps its place
but is not invited until reinstated; a removed one may apply again.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from dps.extensions import db
from dps.models.accounts import User
from dps.models.admissions import Admission
from dps.models.applications import Application
from dps.models.dps import Lot
from dps.models.organisations import Organisation
from dps.outside.tokens import email_link
from dps.rules.enums import AdmissionStatus, OrganisationKind
from dps.rules.lifecycles import ADMISSION, HOLDS_A_PLACE
from dps.rules.refusals import Refusal
from dps.services.common import audit, statemachine
from dps.services.qualification import letters
from dps.services.qualification.letters import Letter

A = AdmissionStatus

REASON_MAX_LENGTH = 2000


class AdmissionRefused(Refusal):
    """A change the rules do not allow; ``field`` is where the message belongs."""


@dataclass(frozen=True)
class Change:
    """One of the moves an administrator makes, with its words."""

    target: AdmissionStatus
    verb: str  # as on the button: "Suspend"
    done: str  # as in the banner: "suspended"
    reason_required: bool


CHANGES = {
    "suspend": Change(A.SUSPENDED, "Suspend", "suspended", reason_required=True),
    "reinstate": Change(A.ADMITTED, "Reinstate", "reinstated", reason_required=False),
    "remove": Change(A.REMOVED, "Remove", "removed", reason_required=True),
}


# --- Admitting (called by the decision) -------------------------------------------------------


def admit(application: Application, lot: Lot, *, actor: User, at: datetime) -> Admission:
    """Put the supplier in the lot's pool from ``at``, in the caller's transaction."""
    holding = db.session.scalar(
        select(Admission).where(
            Admission.organisation_id == application.organisation_id,
            Admission.lot_id == lot.id,
            Admission.status.in_(HOLDS_A_PLACE),
        )
    )
    if holding is not None:
        # The submission rules prevent this; refuse rather than make a second place.
        raise AdmissionRefused(f"The supplier already has a place in {lot.name}.")
    admission = Admission(
        organisation_id=application.organisation_id,
        lot_id=lot.id,
        application_id=application.id,
        status=A.ADMITTED,
        admitted_at=at,
        status_changed_at=at,
    )
    audit.record_new(
        admission,
        "admission.admitted",
        actor=actor,
        after={
            "status": str(A.ADMITTED),
            "lot": lot.number,
            "application": application.reference,
            "organisation_id": application.organisation_id,
        },
    )
    return admission


# --- Suspending, reinstating, removing --------------------------------------------------------


def change(
    admission: Admission, action: str, reason: str, *, actor: User, at: datetime
) -> Admission:
    """Suspend, reinstate or remove the supplier from the lot; audited, and the supplier told."""
    move = CHANGES.get(action)
    if move is None:
        raise AdmissionRefused("There is no such change.")
    reason = reason.strip()
    if not ADMISSION.allowed(admission.status, move.target):
        raise AdmissionRefused(refusal(admission, action))
    if move.reason_required and not reason:
        raise AdmissionRefused(
            f"Enter the reason the supplier is being {move.done}", field="reason"
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise AdmissionRefused(
            f"The reason must be {REASON_MAX_LENGTH} characters or fewer", field="reason"
        )
    statemachine.move(
        ADMISSION, admission, move.target, actor=actor, action=action, reason=reason or None
    )
    admission.status_changed_at = at
    admission.status_reason = reason or None
    letters.send(
        _letter(admission, action),
        dedupe_key=f"admission-{admission.id}-{action}-{at.isoformat()}",
    )
    db.session.commit()
    return admission


def refusal(admission: Admission, action: str) -> str:
    """Why ``action`` cannot be taken on the admission as it stands."""
    move = CHANGES[action]
    if admission.status == A.REMOVED:
        return "The supplier has been removed from this lot: nothing more can change."
    if admission.status == move.target:
        return f"The supplier is already {admission.status.value} in this lot."
    return f"A supplier who is {admission.status.value} cannot be {move.done}."


def _letter(admission: Admission, action: str) -> Letter:
    lot = admission.lot
    subjects = {
        "suspend": f"Your place in Lot {lot.number} of the CCIN DPS is suspended",
        "reinstate": f"Your place in Lot {lot.number} of the CCIN DPS is restored",
        "remove": f"You have been removed from Lot {lot.number} of the CCIN DPS",
    }
    application = db.session.get(Application, admission.application_id)
    return Letter(
        to=letters.recipients(
            admission.organisation_id,
            sender_id=application.submitted_by_id if application else None,
        ),
        subject=subjects[action],
        body=letters.render(
            f"emails/admission_{action}.txt",
            admission=admission,
            lot=lot,
            link=email_link("supplier.home"),
        ),
    )


# --- Reading ---------------------------------------------------------------------------------


def invitable_suppliers(lot_id: int) -> list[Organisation]:
    """The suppliers a call-off in this lot must invite: every one admitted now, and only them.

    Suspended and removed suppliers are left out.
    """
    return list(
        db.session.scalars(
            select(Organisation)
            .join(Admission, Admission.organisation_id == Organisation.id)
            .where(Admission.lot_id == lot_id, Admission.status == A.ADMITTED)
            .order_by(Organisation.name, Organisation.id)
            .distinct()
        )
    )


@dataclass(frozen=True)
class LotPool:
    lot: Lot
    counts: Counter[AdmissionStatus]


def pools() -> list[LotPool]:
    """Every lot with how many suppliers are admitted, suspended and removed."""
    counted: dict[int, Counter[AdmissionStatus]] = {}
    for lot_id, status, count in db.session.execute(
        select(Admission.lot_id, Admission.status, func.count()).group_by(
            Admission.lot_id, Admission.status
        )
    ):
        counted.setdefault(lot_id, Counter())[status] = count
    lots = db.session.scalars(select(Lot).order_by(Lot.dps_id, Lot.number))
    return [LotPool(lot, counted.get(lot.id, Counter())) for lot in lots]


def get_lot(lot_id: int) -> Lot | None:
    return db.session.get(Lot, lot_id)


def pool(lot_id: int) -> list[Admission]:
    """The lot's admissions: admitted and suspended first, by supplier name; removed last."""
    found = db.session.scalars(
        select(Admission)
        .where(Admission.lot_id == lot_id)
        .options(joinedload(Admission.organisation))
        .order_by(Admission.admitted_at.desc(), Admission.id.desc())
    )
    return sorted(found, key=lambda a: (a.status == A.REMOVED, a.organisation.name.lower()))


def get_admission(admission_id: int) -> Admission | None:
    return db.session.get(Admission, admission_id)


def get_supplier(organisation_id: int) -> Organisation | None:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or organisation.kind != OrganisationKind.SUPPLIER:
        return None
    return organisation


def admissions_of(organisation_id: int) -> list[Admission]:
    return list(
        db.session.scalars(
            select(Admission)
            .where(Admission.organisation_id == organisation_id)
            .options(joinedload(Admission.lot))
            .order_by(Admission.admitted_at.desc(), Admission.id.desc())
        )
    )


def changes_allowed(admission: Admission) -> list[str]:
    """The actions an administrator may take on the admission now, in button order."""
    return [
        action
        for action, move in CHANGES.items()
        if ADMISSION.allowed(admission.status, move.target)
    ]
