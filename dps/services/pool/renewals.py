"""Asking for renewed self-declarations (PCR 2015 reg. 34(22)-(23)), and finding them.

An administrator asks an admitted supplier, or every admitted supplier at once, to renew its
self-declaration within 5 working days, and may cancel a request made by mistake; each is
audited and the supplier told by email. What the supplier then does (looking over its answers,
declaring again, and the checks that run on the new snapshot) is in
``dps.services.pool.renewal_declarations``. An overdue renewal is flagged for the
administrators; suspending the supplier stays their decision (nothing here changes an
admission).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from dps.extensions import db
from dps.models.accounts import User
from dps.models.admissions import Admission
from dps.models.dps import Lot
from dps.models.organisations import Organisation
from dps.models.renewals import DeclarationRenewal
from dps.outside.tokens import email_link
from dps.rules import pcr2015
from dps.rules.enums import RenewalStatus
from dps.rules.lifecycles import HOLDS_A_PLACE, RENEWAL
from dps.rules.refusals import Refusal
from dps.services.common import audit
from dps.services.common.emails import render_email
from dps.services.common.locking import lock_row
from dps.services.common.outbox import enqueue_email
from dps.services.common.statemachine import move
from dps.services.qualification.letters import supplier_people

R = RenewalStatus

REFERENCE_FORMAT = "CCIN-DPS-RENEWAL-{id:06d}"


class RenewalError(Refusal):
    """What was asked cannot be done; the message says why, ``field`` where it belongs."""


@dataclass(frozen=True)
class Batch:
    """What asking every admitted supplier did."""

    asked: list[DeclarationRenewal]
    already_waiting: list[DeclarationRenewal]


def reference(renewal: DeclarationRenewal) -> str:
    return REFERENCE_FORMAT.format(id=renewal.id)


def due_if_asked(at: datetime) -> datetime:
    """When a renewal asked for at ``at`` is due: 11:59pm London, 5 working days on."""
    return pcr2015.self_declaration_due_at(at)


def is_overdue(renewal: DeclarationRenewal, at: datetime) -> bool:
    return renewal.status == R.REQUESTED and at > renewal.due_at


# --- reading -----------------------------------------------------------------------------------


def admitted_organisations() -> list[Organisation]:
    """Suppliers in a lot's pool (admitted, or suspended), by name."""
    return list(
        db.session.scalars(
            select(Organisation)
            .where(
                Organisation.id.in_(
                    select(Admission.organisation_id).where(Admission.status.in_(HOLDS_A_PLACE))
                )
            )
            .order_by(Organisation.name, Organisation.id)
        )
    )


def admitted_lots(organisation_id: int) -> list[Lot]:
    """The lots whose pools the organisation is in, by number."""
    return list(
        db.session.scalars(
            select(Lot)
            .join(Admission, Admission.lot_id == Lot.id)
            .where(
                Admission.organisation_id == organisation_id, Admission.status.in_(HOLDS_A_PLACE)
            )
            .distinct()
            .order_by(Lot.number)
        )
    )


def admissions_of(organisation_id: int) -> list[Admission]:
    """The organisation's admissions, lot by lot, with any evidence flag on them."""
    return list(
        db.session.scalars(
            select(Admission)
            .join(Lot, Admission.lot_id == Lot.id)
            .where(Admission.organisation_id == organisation_id)
            .order_by(Lot.number, Admission.admitted_at, Admission.id)
        )
    )


def all_renewals() -> list[DeclarationRenewal]:
    """Every renewal: those waiting first (soonest due first), then the rest, newest first."""
    found = db.session.scalars(
        select(DeclarationRenewal).order_by(
            DeclarationRenewal.requested_at.desc(), DeclarationRenewal.id.desc()
        )
    )
    waiting: list[DeclarationRenewal] = []
    done: list[DeclarationRenewal] = []
    for renewal in found:
        (waiting if renewal.status == R.REQUESTED else done).append(renewal)
    return sorted(waiting, key=lambda r: (r.due_at, r.id)) + done


def get_renewal(renewal_id: int) -> DeclarationRenewal | None:
    """Any renewal (administrators)."""
    return db.session.get(DeclarationRenewal, renewal_id)


def get_for_supplier(renewal_id: int, organisation_id: int) -> DeclarationRenewal | None:
    """The renewal if it is the organisation's; another's is None, like a missing one."""
    return db.session.scalars(
        select(DeclarationRenewal).where(
            DeclarationRenewal.id == renewal_id,
            DeclarationRenewal.organisation_id == organisation_id,
        )
    ).first()


def waiting_for(organisation_id: int) -> DeclarationRenewal | None:
    """The organisation's renewal still to be made, if any."""
    return db.session.scalars(
        select(DeclarationRenewal)
        .where(
            DeclarationRenewal.organisation_id == organisation_id,
            DeclarationRenewal.status == R.REQUESTED,
        )
        .order_by(DeclarationRenewal.due_at, DeclarationRenewal.id)
        .limit(1)
    ).first()


# --- asking ------------------------------------------------------------------------------------


def request_renewal(organisation_id: int, *, actor: User, at: datetime) -> DeclarationRenewal:
    """Ask one admitted supplier to renew its declaration, due in 5 working days."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not admitted_lots(organisation_id):
        raise RenewalError(
            "Only a supplier admitted to a lot can be asked to renew its declaration.",
            field="organisation",
        )
    waiting = waiting_for(organisation_id)
    if waiting is not None:
        raise RenewalError(
            f"{organisation.name} has already been asked to renew its declaration "
            f"({reference(waiting)}).",
            field="organisation",
        )
    renewal = _ask(organisation, actor=actor, at=at)
    db.session.commit()
    return renewal


def request_all(*, actor: User, at: datetime) -> Batch:
    """Ask every admitted supplier at once; one already asked and not yet answered is left be."""
    asked, already = [], []
    for organisation in admitted_organisations():
        waiting = waiting_for(organisation.id)
        if waiting is not None:
            already.append(waiting)
        else:
            asked.append(_ask(organisation, actor=actor, at=at))
    db.session.commit()
    return Batch(asked, already)


def _ask(organisation: Organisation, *, actor: User, at: datetime) -> DeclarationRenewal:
    renewal = DeclarationRenewal(
        organisation_id=organisation.id,
        status=R.REQUESTED,
        requested_at=at,
        requested_by_id=actor.id,
        due_at=due_if_asked(at),
    )
    audit.record_new(
        renewal,
        "renewal.requested",
        actor=actor,
        after={
            "organisation_id": organisation.id,
            "status": str(R.REQUESTED),
            "due_at": renewal.due_at.isoformat(),
        },
    )
    body = render_email(
        "renewal_requested",
        renewal=renewal,
        organisation=organisation,
        reference=reference(renewal),
        link=email_link("supplier.renewal", renewal_id=renewal.id),
    )
    for person in supplier_people(organisation.id):
        enqueue_email(
            person.email,
            "Renew your declaration for the CCIN Dynamic Purchasing System",
            body,
            dedupe_key=f"renewal-requested:{renewal.id}:{person.id}",
        )
    return renewal


def cancel(renewal: DeclarationRenewal, *, reason: str, actor: User) -> None:
    """Withdraw a request made by mistake (audited, with the reason; the supplier is told)."""
    reason = reason.strip()
    if not reason:
        raise RenewalError("Enter why you are cancelling the request", field="reason")
    lock_row(DeclarationRenewal, renewal.id)
    if renewal.status != R.REQUESTED:
        raise RenewalError("Only a request still waiting for the supplier can be cancelled.")
    move(RENEWAL, renewal, R.CANCELLED, actor=actor, reason=reason)
    body = render_email(
        "renewal_cancelled",
        organisation=renewal.organisation,
        reference=reference(renewal),
        link=email_link("supplier.renewal", renewal_id=renewal.id),
    )
    for person in supplier_people(renewal.organisation_id):
        enqueue_email(
            person.email,
            "Request to renew your declaration cancelled",
            body,
            dedupe_key=f"renewal-cancelled:{renewal.id}:{person.id}",
        )
    db.session.commit()
