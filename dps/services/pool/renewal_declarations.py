"""The supplier's renewed self-declaration, and the checks that run on it.

The answers belong to the organisation, so renewing is: look over the latest answers, profile
and documents for the lots the supplier is admitted to, change what needs changing, and declare
again. The declaration keeps a new snapshot (the same record as an application's, with its
checksum) and starts a run of the qualification checks on it; the run's results follow the
supplier's admissions. Asking for a renewal, and cancelling one, is ``dps.services.pool.renewals``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from dps.extensions import db
from dps.models.accounts import User
from dps.models.applications import Application, ApplicationLot
from dps.models.checks import CheckResult, CheckRun
from dps.models.renewals import DeclarationRenewal
from dps.outside.tokens import email_link
from dps.rules.enums import RenewalStatus
from dps.rules.lifecycles import RENEWAL
from dps.services.applications import snapshot as application_snapshot
from dps.services.applications import task_list as application_tasks
from dps.services.applications.submission import Declaration
from dps.services.common.emails import render_email
from dps.services.common.locking import lock_row
from dps.services.common.outbox import enqueue_email
from dps.services.common.statemachine import move
from dps.services.pool import renewals
from dps.services.qualification import registry, runs

R = RenewalStatus

CHECK_RUN_REASON = "renewal"


class RenewalRefused(renewals.RenewalError):
    """The declaration cannot be made yet: ``gaps`` lists what is missing, and where."""

    def __init__(self, gaps: list[application_tasks.Gap]) -> None:
        count = "1 thing" if len(gaps) == 1 else f"{len(gaps)} things"
        super().__init__(f"Your answers are not complete: {count} still to do.")
        self.gaps = gaps


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
        return registry.label_of(name)


# --- the checks that follow the supplier ---------------------------------------------------------


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
        organisation_id, renewals.waiting_for(organisation_id), latest_checks(organisation_id)
    )


# --- declaring again ---------------------------------------------------------------------------


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
        reference=renewals.reference(renewal),
        organisation_id=renewal.organisation_id,
        lots=[ApplicationLot(lot=lot) for lot in renewals.admitted_lots(renewal.organisation_id)],
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
    lock_row(DeclarationRenewal, renewal.id)
    if renewal.status != R.REQUESTED:
        raise renewals.RenewalError("This declaration has already been made, or was cancelled.")
    _check_declaration(declaration)
    if not renewals.admitted_lots(renewal.organisation_id):
        raise renewals.RenewalError(
            "You are no longer admitted to a lot, so there is nothing to renew."
        )
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
        late=renewals.is_overdue(renewal, at),
        lots=declared.lot_numbers,
    )
    run = runs.start_run(renewal_id=renewal.id, reason=CHECK_RUN_REASON, actor=actor)
    enqueue_email(
        actor.email,
        "You have renewed your declaration for the CCIN Dynamic Purchasing System",
        render_email(
            "renewal_confirmed",
            renewal=renewal,
            reference=renewals.reference(renewal),
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
        raise renewals.RenewalError(
            "Enter the full name of the person making the declaration", field="declaration_name"
        )
    if not declaration.role.strip():
        raise renewals.RenewalError(
            "Enter their role in your organisation", field="declaration_role"
        )
    if not declaration.confirmed:
        raise renewals.RenewalError(
            "Confirm that the information you have given is true and complete", field="confirm"
        )
