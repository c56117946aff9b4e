"""Runs of the qualification checks: starting one, running each check, closing the run.

A run holds one result per check and scope ("all", or "lot-<id>" for a check made per lot);
an administrator's re-run adds a new run and keeps the old ones. ``start_run`` writes the
pending results and hands each to the workers by task name through the outbox, so nothing
reaches the broker before the commit. ``run_check`` is safe to run twice: each attempt is
counted and committed before the check starts (a killed attempt still counts), the check runs
with no lock held, and its verdict is written only if the result is still open. The result that
closes a run, under a lock on the run's row, sets the recommendation per lot and moves the
application to "ready for review", once. The administrator always decides.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

from dps.celery_app import QUEUE_CHECKS
from dps.extensions import db
from dps.models.accounts import User
from dps.models.applications import Application
from dps.models.base import utcnow
from dps.models.checks import CheckResult, CheckRun
from dps.models.dps import Lot
from dps.models.renewals import DeclarationRenewal
from dps.outside.tokens import email_link
from dps.rules.calendar import london_date
from dps.rules.checks.recommendation import recommendation
from dps.rules.checks.verdict import CheckVerdict
from dps.rules.enums import ApplicationStatus, CheckOutcome, CheckState
from dps.rules.lifecycles import APPLICATION
from dps.rules.refusals import Refusal
from dps.services.common import audit
from dps.services.common.emails import send_email
from dps.services.common.locking import lock_row
from dps.services.common.outbox import enqueue_task
from dps.services.common.statemachine import move
from dps.services.dps.period import current_dps
from dps.services.qualification.registry import (
    WHOLE_APPLICATION,
    Check,
    CheckContext,
    TransientCheckError,
    registered,
    scope_of,
)

logger = logging.getLogger(__name__)

S = ApplicationStatus

# The worker task that runs one result of a run (workers/checks.py), by name.
RUN_CHECK_TASK = "workers.checks.run_check"

OPEN_STATES = (CheckState.PENDING, CheckState.RUNNING)
# An administrator may run a check again while the application is with the reviewers.
RERUNNABLE = frozenset({S.CHECKING, S.READY_FOR_REVIEW, S.CLARIFICATION_REQUESTED})


class CheckError(Refusal):
    """Something asked of the checks that cannot be done; the message says why."""


# --- Starting runs ----------------------------------------------------------------------------


def start_submission_checks(application_id: int) -> CheckRun | None:
    """Move a submitted application to "checking" and start its first run; commits.

    Safe to call twice: an application already past "submitted" (or not found) is left alone.
    """
    application = lock_row(Application, application_id)
    if application is None or application.status != S.SUBMITTED:
        db.session.rollback()
        return None
    move(APPLICATION, application, S.CHECKING, actor=None)
    run = start_run(application_id=application.id, reason="submission", actor=None)
    db.session.commit()
    return run


def start_run(
    *,
    application_id: int | None = None,
    renewal_id: int | None = None,
    reason: str,
    actor: User | None,
    only: Iterable[str] | None = None,
) -> CheckRun:
    """A new run of the checks (all, or ``only`` those named) on an application or a renewal.

    Adds the run, a pending result per check and scope, and the outbox rows that hand each to
    the workers; the caller commits, and only then do the workers see them.
    """
    if (application_id is None) == (renewal_id is None):
        raise ValueError("a run is of an application or of a renewal")
    checks = registered()
    if only is not None:
        wanted = set(only)
        unknown = wanted - {check.name for check in checks}
        if unknown:
            raise CheckError(f"There is no check called {', '.join(sorted(unknown))}.")
        checks = [check for check in checks if check.name in wanted]
    owner_column = CheckRun.application_id if application_id is not None else CheckRun.renewal_id
    owner_id = application_id if application_id is not None else renewal_id
    # The owner's row is locked, so two runs started at once get different numbers.
    owner: Application | DeclarationRenewal | None = (
        lock_row(Application, application_id)
        if application_id is not None
        else lock_row(DeclarationRenewal, renewal_id)
    )
    if owner is None:
        raise CheckError("There is nothing to check: the application or renewal is not there.")
    if owner.snapshot is None:
        raise CheckError("There is nothing to check: nothing has been sent yet.")
    last = db.session.scalar(select(func.max(CheckRun.number)).where(owner_column == owner_id))
    run = CheckRun(
        application_id=application_id,
        renewal_id=renewal_id,
        number=(last or 0) + 1,
        reason=reason,
        requested_by_id=actor.id if actor else None,
    )
    lots = _lots_of(run, owner.snapshot)
    run.results = [
        CheckResult(check=check.name, scope=scope_of(lot), lot_id=lot.id if lot else None)
        for check in checks
        for lot in (lots if check.per_lot else [None])
    ]
    db.session.add(run)
    db.session.flush()
    for result in run.results:
        enqueue_task(
            RUN_CHECK_TASK,
            [result.id],
            queue=QUEUE_CHECKS,
            dedupe_key=f"check-result-{result.id}",
        )
    audit.record(
        "check_run.started",
        run,
        actor=actor,
        after={
            "application_id": application_id,
            "renewal_id": renewal_id,
            "number": run.number,
            "reason": reason,
            "checks": [check.name for check in checks],
        },
    )
    return run


def rerun_check(application_id: int, check: str, *, actor: User) -> CheckRun:
    """An administrator runs one check again: a new run, the earlier ones kept; commits."""
    application = lock_row(Application, application_id)
    if application is None:
        raise CheckError("There is no such application.")
    if application.status in (S.DRAFT, S.SUBMITTED):
        raise CheckError(f"Application {application.reference} has not been checked yet.")
    if application.status not in RERUNNABLE:
        raise CheckError(
            f"Application {application.reference} has been {application.status.value}: "
            "its checks cannot be run again."
        )
    run = start_run(application_id=application_id, reason="rerun", actor=actor, only=[check])
    audit.record(
        "application.check_rerun",
        application,
        actor=actor,
        after={"check": check, "run": run.number},
    )
    db.session.commit()
    return run


def cancel_pending(application_id: int) -> int:
    """Cancel the application's checks not yet done (it has been withdrawn); the caller commits.

    A check already running finds its result cancelled when it finishes, and writes nothing.
    """
    runs = select(CheckRun.id).where(CheckRun.application_id == application_id)
    cancelled = db.session.execute(
        update(CheckResult)
        .where(CheckResult.run_id.in_(runs), CheckResult.state.in_(OPEN_STATES))
        .values(state=CheckState.CANCELLED, finished_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(getattr(cancelled, "rowcount", 0) or 0)


# --- Running one check ------------------------------------------------------------------------

# Faults worth trying again: the check's own, and the database going away for a moment.
RETRYABLE = (TransientCheckError, OperationalError)


def max_attempts() -> int:
    return int(current_app.config["CHECKS_MAX_RETRIES"]) + 1


def run_check(result_id: int) -> None:
    """Run one check and record its verdict; a result already done (or cancelled) is left alone.

    A passing fault (``RETRYABLE``) propagates, for the task to try again later, until the
    result has had ``max_attempts()`` (killed ones count too); then it is recorded as an error.
    Any other fault in a check is recorded as an error at once, for a person to look at.
    """
    started = _begin_attempt(result_id)
    if started is None:
        return
    check, context, attempt = started
    try:
        verdict = check.function(context)
    except RETRYABLE as error:
        db.session.rollback()
        if attempt < max_attempts():
            logger.warning("Check %s (result %s) to try again: %s", check.name, result_id, error)
            raise
        verdict = CheckVerdict(
            CheckOutcome.ERROR,
            f"The check could not be completed after {attempt} attempts: {error}",
            {"error": f"{type(error).__name__}: {error}"},
        )
    except Exception as error:
        logger.exception("Check %s (result %s) failed", check.name, result_id)
        verdict = CheckVerdict(
            CheckOutcome.ERROR,
            "The check stopped with an unexpected fault. Check this by hand.",
            {"error": f"{type(error).__name__}: {error}"},
        )
    _finish(result_id, verdict)


def _begin_attempt(result_id: int) -> tuple[Check, CheckContext, int] | None:
    """Count the attempt and commit it, or None if there is nothing to do."""
    result = lock_row(CheckResult, result_id)
    if result is None or result.state not in OPEN_STATES:
        db.session.rollback()  # a re-delivered task for a result done or cancelled: no change
        return None
    run = result.run
    application = db.session.get(Application, run.application_id) if run.application_id else None
    if application is not None and application.status == S.WITHDRAWN:
        result.state = CheckState.CANCELLED
        result.finished_at = utcnow()
        db.session.commit()
        return None
    result.attempts += 1
    result.state = CheckState.RUNNING
    result.started_at = utcnow()
    db.session.commit()

    check = next((c for c in registered() if c.name == result.check), None)
    if check is None:
        _finish(
            result_id,
            CheckVerdict(CheckOutcome.ERROR, f"There is no check called {result.check} any more."),
        )
        return None
    owner = application or db.session.get(DeclarationRenewal, run.renewal_id)
    assert owner is not None and owner.snapshot is not None
    context = CheckContext(
        run_id=run.id,
        organisation_id=owner.organisation_id,
        snapshot=owner.snapshot,
        lot=result.lot,
        today=london_date(utcnow()),
        application_id=run.application_id,
        renewal_id=run.renewal_id,
    )
    return check, context, result.attempts


def _finish(result_id: int, verdict: CheckVerdict) -> None:
    db.session.rollback()  # end the check's reads; the verdict is written in a fresh transaction
    result = lock_row(CheckResult, result_id)
    if result is None or result.state not in OPEN_STATES:
        db.session.rollback()  # another attempt finished first, or it was cancelled
        return
    result.outcome = verdict.outcome
    result.reason = verdict.reason
    result.evidence = verdict.evidence
    result.finished_at = utcnow()
    result.state = CheckState.DONE
    db.session.flush()
    _complete_if_last(result.run_id)
    db.session.commit()


# --- Closing a run ----------------------------------------------------------------------------


def _complete_if_last(run_id: int) -> None:
    """Close the run if no result of it is open: exactly once, under a lock on its row."""
    run = lock_row(CheckRun, run_id)
    assert run is not None
    if run.completed_at is not None:
        return
    still_open = db.session.scalar(
        select(func.count())
        .select_from(CheckResult)
        .where(CheckResult.run_id == run_id, CheckResult.state.in_(OPEN_STATES))
    )
    if still_open:
        return
    run.completed_at = utcnow()
    run.recommendation = {
        str(lot.id): recommendation(
            result.outcome for result in _current_results(run) if _concerns(result, lot)
        ).value
        for lot in _lots_of(run, _snapshot_of(run))
    }
    audit.record(
        "check_run.completed", run, actor=None, after={"recommendation": run.recommendation}
    )
    if run.application_id is not None:
        _ready_for_review(run)


def _ready_for_review(run: CheckRun) -> None:
    application = lock_row(Application, run.application_id)
    if application is None or application.status != S.CHECKING:
        return  # already with the reviewers (a re-run), or withdrawn meanwhile
    move(
        APPLICATION,
        application,
        S.READY_FOR_REVIEW,
        actor=None,
        run=run.number,
        recommendation=run.recommendation,
    )
    submitter = db.session.get(User, application.submitted_by_id)
    if submitter is not None:
        send_email(
            submitter.email,
            f"Your application {application.reference} is with our reviewers",
            "application_with_reviewers",
            dedupe_key=f"application-with-reviewers-{application.id}",
            application=application,
            lots=[al.lot for al in application.lots],
            link=email_link("supplier.application", application_id=application.id),
        )


def _concerns(result: CheckResult, lot: Lot) -> bool:
    return result.scope in (WHOLE_APPLICATION, scope_of(lot))


def _current_results(run: CheckRun) -> list[CheckResult]:
    """Each check's latest finished result as of this run (a re-run replaces only its own)."""
    same_owner = (
        CheckRun.application_id == run.application_id
        if run.application_id is not None
        else CheckRun.renewal_id == run.renewal_id
    )
    runs = select(CheckRun.id).where(same_owner, CheckRun.number <= run.number)
    latest: dict[tuple[str, str], CheckResult] = {}
    for result in db.session.scalars(
        select(CheckResult)
        .join(CheckRun)
        .where(CheckResult.run_id.in_(runs), CheckResult.state == CheckState.DONE)
        .order_by(CheckRun.number, CheckResult.id)
    ):
        latest[(result.check, result.scope)] = result
    return list(latest.values())


def _snapshot_of(run: CheckRun) -> Mapping[str, Any]:
    owner = (
        db.session.get(Application, run.application_id)
        if run.application_id is not None
        else db.session.get(DeclarationRenewal, run.renewal_id)
    )
    assert owner is not None and owner.snapshot is not None
    return owner.snapshot


def _lots_of(run: CheckRun, snapshot: Mapping[str, Any]) -> list[Lot]:
    """The lots a run is about: those applied for, or those a renewal's declaration covers."""
    if run.application_id is not None:
        application = db.session.get(Application, run.application_id)
        assert application is not None
        return sorted((al.lot for al in application.lots), key=lambda lot: lot.number)
    numbers = {lot["number"] for lot in snapshot.get("lots") or []}
    dps = current_dps()
    return [lot for lot in dps.lots if lot.number in numbers] if dps else []
