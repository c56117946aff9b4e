"""Renewed self-declarations (PCR 2015 reg. 34(22)-(23)): an administrator asks an admitted
supplier, or every admitted supplier at once, to renew its self-declaration within 5 working
days.

The answers belong to the organisation, so renewing is: look over the latest answers, profile
and documents for the lots the supplier is admitted to, change what needs changing, and declare
again. The declaration keeps a new snapshot (the same record as an application's, with its
checksum) and starts a run of the qualification checks on it; the run's results follow the
supplier's admissions. An overdue renewal is flagged for the administrators; suspending the
supplier stays their decision (nothing here changes an admission).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from dps.extensions import db
from dps.models.accounts import User
from dps.models.admissions import Admission
from dps.models.applications import Application, ApplicationLot
from dps.models.checks import CheckResult, CheckRun
from dps.models.dps import Lot
from dps.models.organisations import Organisation
from dps.models.renewals import DeclarationRenewal
from dps.outside.tokens import email_link
from dps.rules import pcr2015
from dps.rules.enums import RenewalStatus
from dps.rules.lifecycles import RENEWAL
from dps.services.applications import snapshot as application_snapshot
from dps.services.applications import task_list as application_tasks
from dps.services.applications.submission import Declaration
from dps.services.common import audit
from dps.services.common.outbox import enqueue_email
from dps.services.common.statemachine import move
from dps.services.pool.reminders import IN_A_POOL, render_email, supplier_people
from dps.services.qualification import checks

R = RenewalStatus

# The only moves a renewal makes; each is audited.

REFERENCE_FORMAT = "CCIN-DPS-RENEWAL-{id:06d}"
CHECK_RUN_REASON = "renewal"


class RenewalError(Exception):
    """What was asked cannot be done; the message says why, ``field`` where it belongs."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class RenewalRefused(RenewalError):
    """The declaration cannot be made yet: ``gaps`` lists what is missing, and where."""

    def __init__(self, gaps: list[application_tasks.Gap]) -> None:
        count = "1 thing" if len(gaps) == 1 else f"{len(gaps)} things"
        super().__init__(f"Your answers are not complete: {count} still to do.")
        self.gaps = gaps


@dataclass(frozen=True)
class Batch:
    """What asking every admitted supplier did."""

    asked: list[DeclarationRenewal]
    already_waiting: list[DeclarationRenewal]


@dataclass(frozen=True)
class RenewalChecks:
    """A confirmed renewal's latest check run, as it follows the supplier's admissions."""

    renewal: DeclarationRenewal
    run: CheckRun
    results: list[CheckResult]

    def for_lot(self, lot_id: int) -> list[CheckResult]:
        """The results that bear on one lot: the whole-supplier ones and that lot's."""
        return [r for r in self.results if r.lot_id is None or r.lot_id == lot_id]


@dataclass(frozen=True)
class SupplierRenewals:
    """What the administrators' page of a supplier shows about its renewed declarations."""

    organisation_id: int
    waiting: DeclarationRenewal | None
    latest: RenewalChecks | None

    @staticmethod
    def check_label(name: str) -> str:
        return checks.label_of(name)


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
                    select(Admission.organisation_id).where(Admission.status.in_(IN_A_POOL))
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
            .where(Admission.organisation_id == organisation_id, Admission.status.in_(IN_A_POOL))
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


def check_runs(renewal: DeclarationRenewal) -> list[tuple[CheckRun, list[CheckResult]]]:
    """The renewal's check runs, newest first, each with its results."""
    runs = db.session.scalars(
        select(CheckRun)
        .where(CheckRun.renewal_id == renewal.id)
        .order_by(CheckRun.number.desc(), CheckRun.id.desc())
    )
    return [(run, list(run.results)) for run in runs]


def latest_checks(organisation_id: int) -> RenewalChecks | None:
    """The checks of the organisation's latest confirmed renewal: what its admissions show."""
    renewal = db.session.scalars(
        select(DeclarationRenewal)
        .where(
            DeclarationRenewal.organisation_id == organisation_id,
            DeclarationRenewal.status == R.CONFIRMED,
        )
        .order_by(DeclarationRenewal.confirmed_at.desc(), DeclarationRenewal.id.desc())
        .limit(1)
    ).first()
    if renewal is None:
        return None
    runs = check_runs(renewal)
    if not runs:
        return None
    run, results = runs[0]
    return RenewalChecks(renewal, run, results)


def summary_for(organisation_id: int) -> SupplierRenewals:
    return SupplierRenewals(
        organisation_id, waiting_for(organisation_id), latest_checks(organisation_id)
    )


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
    db.session.add(renewal)
    db.session.flush()
    audit.record(
        "renewal.requested",
        renewal,
        actor=actor,
        after={
            "organisation_id": organisation.id,
            "status": str(R.REQUESTED),
            "due_at": renewal.due_at.isoformat(),
        },
    )
    body = render_email(
        "emails/renewal_requested.txt",
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
    db.session.refresh(renewal, with_for_update=True)
    if renewal.status != R.REQUESTED:
        raise RenewalError("Only a request still waiting for the supplier can be cancelled.")
    move(RENEWAL, renewal, R.CANCELLED, actor=actor, reason=reason)
    body = render_email(
        "emails/renewal_cancelled.txt",
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


# --- the supplier's side ------------------------------------------------------------------------


def as_application(
    renewal: DeclarationRenewal,
    *,
    declaration: Declaration | None = None,
    at: datetime | None = None,
) -> Application:
    """The renewal in the shape of an application, for the lots the supplier is admitted to.

    Never saved: the task list, the gaps and the snapshot read an application, and a renewed
    declaration covers the same answers, profile and documents as one.
    """
    return Application(
        reference=reference(renewal),
        organisation_id=renewal.organisation_id,
        lots=[ApplicationLot(lot=lot) for lot in admitted_lots(renewal.organisation_id)],
        declaration_name=declaration.name.strip() if declaration else None,
        declaration_role=declaration.role.strip() if declaration else None,
        declared_at=at,
        submitted_at=at,
    )


def task_list(renewal: DeclarationRenewal) -> application_tasks.TaskList:
    return application_tasks.task_list(as_application(renewal))


def review(renewal: DeclarationRenewal) -> application_tasks.Review:
    return application_tasks.review(as_application(renewal))


def confirm(
    renewal: DeclarationRenewal, declaration: Declaration, *, actor: User, at: datetime
) -> CheckRun:
    """Make the renewed declaration at the instant ``at``: refused with every gap while anything
    is missing; otherwise a new snapshot with its checksum, and the checks started on it."""
    db.session.refresh(renewal, with_for_update=True)
    if renewal.status != R.REQUESTED:
        raise RenewalError("This declaration has already been made, or was cancelled.")
    _check_declaration(declaration)
    if not admitted_lots(renewal.organisation_id):
        raise RenewalError("You are no longer admitted to a lot, so there is nothing to renew.")
    declared = as_application(renewal, declaration=declaration, at=at)
    gaps = application_tasks.gaps(declared)
    if gaps:
        raise RenewalRefused(gaps)

    snapshot = application_snapshot.take(declared)
    renewal.snapshot = snapshot
    renewal.snapshot_checksum = application_snapshot.checksum(snapshot)
    renewal.confirmed_at = at
    renewal.confirmed_by_id = actor.id
    move(
        RENEWAL,
        renewal,
        R.CONFIRMED,
        actor=actor,
        snapshot_checksum=renewal.snapshot_checksum,
        late=is_overdue(renewal, at),
        lots=declared.lot_numbers,
    )
    run = checks.start_run(renewal_id=renewal.id, reason=CHECK_RUN_REASON, actor=actor)
    enqueue_email(
        actor.email,
        "You have renewed your declaration for the CCIN Dynamic Purchasing System",
        render_email(
            "emails/renewal_confirmed.txt",
            renewal=renewal,
            reference=reference(renewal),
            link=email_link("supplier.renewal", renewal_id=renewal.id),
        ),
        dedupe_key=f"renewal-confirmed:{renewal.id}",
    )
    db.session.commit()
    return run


def is_intact(renewal: DeclarationRenewal) -> bool:
    """Whether the kept snapshot still matches the checksum taken when it was declared."""
    if renewal.snapshot is None or renewal.snapshot_checksum is None:
        return False
    return application_snapshot.checksum(renewal.snapshot) == renewal.snapshot_checksum


def _check_declaration(declaration: Declaration) -> None:
    if not declaration.name.strip():
        raise RenewalError(
            "Enter the full name of the person making the declaration", field="declaration_name"
        )
    if not declaration.role.strip():
        raise RenewalError("Enter their role in your organisation", field="declaration_role")
    if not declaration.confirmed:
        raise RenewalError(
            "Confirm that the information you have given is true and complete", field="confirm"
        )
