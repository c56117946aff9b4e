"""Runs of the checks: a check done once however often its task arrives, a run closed once,
checks cancelled on withdrawal, passing faults retried, one check run again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import current_app

from dps.celery_app import QUEUE_CHECKS, celery
from dps.extensions import db
from dps.models import Application, AuditEvent, CheckRun, OutboxMessage, User
from dps.rules.checks.verdict import CheckVerdict
from dps.rules.enums import (
    CheckState,
    OutboxKind,
)
from dps.services.applications import submission
from dps.services.qualification import registry
from dps.services.qualification import runs as check_runs
from dps.services.qualification.registry import CheckContext, TransientCheckError
from tests.fixtures.application_world import (
    DECLARATION,
    DURING_THE_PERIOD,
    World,
    ready_to_send,
)
from tests.fixtures.ch_stub import CompaniesHouseStub
from tests.fixtures.checks_world import POUNDS, O, S, emails_about, events, results, run_all

# The tests that run each step by hand hand their tasks to a broker nobody reads.
pytestmark = pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")


# --- the pipeline -----------------------------------------------------------------------------


def test_starting_makes_a_pending_result_per_check_and_lot_handed_over_after_commit(
    sent: Application,
) -> None:
    run = check_runs.start_submission_checks(sent.id)
    assert run is not None and (run.number, run.reason) == (1, "submission")
    db.session.refresh(sent)
    assert sent.status == S.CHECKING
    lot_ids = sorted(al.lot_id for al in sent.lots)
    expected = {
        (check.name, scope)
        for check in registry.registered()
        for scope in ([f"lot-{i}" for i in lot_ids] if check.per_lot else ["all"])
    }
    found = results(sent)
    assert {(r.check, r.scope) for r in found} == expected
    assert {"completeness", "insurance", "financial_standing"} <= {
        r.check for r in found if r.scope != "all"
    }
    assert all((r.state, r.attempts, r.outcome) == (CheckState.PENDING, 0, None) for r in found)
    handed = db.session.scalars(
        db.select(OutboxMessage).where(
            OutboxMessage.kind == OutboxKind.TASK,
            OutboxMessage.payload["name"].as_string() == check_runs.RUN_CHECK_TASK,
        )
    ).all()
    assert sorted(m.payload["args"][0] for m in handed) == [r.id for r in found]
    assert {m.payload["queue"] for m in handed} == {QUEUE_CHECKS}
    assert [e.after for e in events("application.checking")] == [{"status": "checking"}]


def test_a_second_start_of_the_same_submission_changes_nothing(sent: Application) -> None:
    task = celery.tasks[submission.CHECKS_TASK]
    task.apply(args=[sent.id], throw=True)
    first = [(r.id, r.check, r.scope) for r in results(sent)]
    task.apply(args=[sent.id], throw=True)  # the same task delivered again
    assert check_runs.start_submission_checks(sent.id) is None
    assert [(r.id, r.check, r.scope) for r in results(sent)] == first
    assert db.session.scalar(db.select(db.func.count()).select_from(CheckRun)) == 1
    assert len(events("application.checking")) == 1


def test_when_every_check_is_done_the_application_is_ready_with_a_recommendation_per_lot(
    sent: Application, world: World, companies_house: CompaniesHouseStub
) -> None:
    world.lots[2].min_annual_turnover_pence = 2_000_000 * POUNDS  # more than it turns over
    db.session.commit()
    check_runs.start_submission_checks(sent.id)
    run_all(sent)
    done = results(sent)
    assert all(r.state == CheckState.DONE and r.attempts == 1 for r in done)
    assert all(r.reason and r.finished_at and r.evidence is not None for r in done)
    db.session.refresh(sent)
    assert sent.status == S.READY_FOR_REVIEW
    [run] = db.session.scalars(db.select(CheckRun)).all()
    lot_1, lot_2 = (str(world.lots[n].id) for n in (1, 2))
    # Everything passes but Lot 2's turnover.
    assert run.recommendation is not None and run.completed_at is not None
    assert run.recommendation[lot_2] == "reject"
    assert run.recommendation == {lot_1: "admit", lot_2: "reject"}
    [moved] = events("application.ready_for_review")
    assert moved.after == {
        "run": 1,
        "recommendation": run.recommendation,
        "status": "ready_for_review",
    }
    assert emails_about(sent) == [
        f"We have received your application {sent.reference}",
        f"Your application {sent.reference} is with our reviewers",
    ]


def test_a_check_delivered_again_after_it_is_done_writes_nothing(sent: Application) -> None:
    check_runs.start_submission_checks(sent.id)
    run_all(sent)

    def written() -> list[tuple[Any, ...]]:
        return [(r.state, r.outcome, r.reason, r.attempts, r.finished_at) for r in results(sent)]

    before = written()
    audited = db.session.scalar(db.select(db.func.count()).select_from(AuditEvent))
    for result in results(sent):
        celery.tasks[check_runs.RUN_CHECK_TASK].apply(args=[result.id], throw=True)
    assert written() == before
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)) == audited
    assert len(events("application.ready_for_review")) == 1
    assert len(events("check_run.completed")) == 1
    assert len(emails_about(sent)) == 2


def test_an_attempt_killed_midway_counts_and_the_next_one_finishes(sent: Application) -> None:
    check_runs.start_submission_checks(sent.id)
    first = results(sent)[0]
    # What a worker killed in the middle of the check leaves behind.
    first.state, first.attempts = CheckState.RUNNING, 1
    db.session.commit()
    check_runs.run_check(first.id)
    db.session.refresh(first)
    assert (first.state, first.attempts) == (CheckState.DONE, 2)


def test_withdrawing_cancels_the_checks_not_yet_done(sent: Application, world: World) -> None:
    check_runs.start_submission_checks(sent.id)
    done, *waiting = results(sent)
    check_runs.run_check(done.id)
    submission.withdraw(sent, reason="", actor=world.owner, at=DURING_THE_PERIOD)
    for result in waiting:
        check_runs.run_check(result.id)  # delivered after the withdrawal: does nothing
    first, *rest = results(sent)
    assert (first.state, first.outcome) == (CheckState.DONE, done.outcome)
    assert {(r.state, r.outcome, r.attempts) for r in rest} == {(CheckState.CANCELLED, None, 0)}
    db.session.refresh(sent)
    assert sent.status == S.WITHDRAWN
    assert events("application.ready_for_review") == []


def test_a_check_running_when_the_application_is_withdrawn_writes_nothing(
    sent: Application, world: World, extra_check: Callable[..., str]
) -> None:
    owner_id = world.owner.id

    def withdrawn_meanwhile(ctx: CheckContext) -> CheckVerdict:
        # The supplier withdraws (another request, its own session) while the check runs.
        with current_app.app_context():
            application = db.session.get(Application, ctx.application_id)
            owner = db.session.get(User, owner_id)
            assert application is not None and owner is not None
            submission.withdraw(application, reason="", actor=owner, at=DURING_THE_PERIOD)
        return CheckVerdict(O.PASS, "Looked fine at the time.")

    name = extra_check("withdrawn_meanwhile", withdrawn_meanwhile)
    check_runs.start_run(application_id=sent.id, reason="submission", actor=None, only=[name])
    db.session.commit()
    [result] = results(sent)
    check_runs.run_check(result.id)
    [result] = results(sent)
    assert (result.state, result.outcome, result.attempts) == (CheckState.CANCELLED, None, 1)


def test_a_passing_fault_is_retried_until_the_check_succeeds(
    sent: Application, extra_check: Callable[..., str]
) -> None:
    calls: list[int] = []

    def flaky(ctx: CheckContext) -> CheckVerdict:
        calls.append(1)
        if len(calls) < 3:
            raise TransientCheckError("the register is busy")
        return CheckVerdict(O.PASS, "Found on the third try.", {"tries": len(calls)})

    name = extra_check("flaky_register", flaky)
    check_runs.start_run(application_id=sent.id, reason="rerun", actor=None, only=[name])
    db.session.commit()
    [result] = results(sent)
    celery.tasks[check_runs.RUN_CHECK_TASK].apply(args=[result.id], throw=True)
    [result] = results(sent)
    assert (result.state, result.outcome, result.attempts) == (CheckState.DONE, O.PASS, 3)
    assert result.evidence == {"tries": 3}


def test_a_fault_that_never_passes_is_an_error_after_the_last_try(
    sent: Application, extra_check: Callable[..., str]
) -> None:
    def down(ctx: CheckContext) -> CheckVerdict:
        raise TransientCheckError("the register is down")

    name = extra_check("register_down", down)
    check_runs.start_run(application_id=sent.id, reason="rerun", actor=None, only=[name])
    db.session.commit()
    [result] = results(sent)
    task = celery.tasks[check_runs.RUN_CHECK_TASK]
    task.apply(args=[result.id], throw=True)
    [result] = results(sent)
    tries = task.max_retries + 1
    assert (result.state, result.outcome, result.attempts) == (CheckState.DONE, O.ERROR, tries)
    assert result.reason == (
        f"The check could not be completed after {tries} attempts: the register is down"
    )


def test_an_unexpected_fault_is_an_error_at_once(
    sent: Application, extra_check: Callable[..., str]
) -> None:
    def broken(ctx: CheckContext) -> CheckVerdict:
        raise KeyError("missing")

    name = extra_check("broken", broken)
    check_runs.start_run(application_id=sent.id, reason="rerun", actor=None, only=[name])
    db.session.commit()
    [result] = results(sent)
    celery.tasks[check_runs.RUN_CHECK_TASK].apply(args=[result.id], throw=True)
    [result] = results(sent)
    assert (result.outcome, result.attempts) == (O.ERROR, 1)
    assert result.reason == "The check stopped with an unexpected fault. Check this by hand."
    assert result.evidence == {"error": "KeyError: 'missing'"}


def test_the_tasks_are_acknowledged_late_and_given_back_if_their_worker_dies() -> None:
    for name in (submission.CHECKS_TASK, check_runs.RUN_CHECK_TASK):
        task = celery.tasks[name]
        assert task.acks_late and task.reject_on_worker_lost
        assert celery.conf.task_routes[name] == {"queue": QUEUE_CHECKS}


# --- re-running a check -----------------------------------------------------------------------


def test_a_check_is_run_again_only_between_checking_and_the_decision(
    sent: Application, world: World
) -> None:
    with pytest.raises(check_runs.CheckError, match="has not been checked yet"):
        check_runs.rerun_check(sent.id, "documents", actor=world.owner)
    db.session.rollback()
    check_runs.start_submission_checks(sent.id)
    run_all(sent)
    with pytest.raises(check_runs.CheckError, match="There is no check called astrology"):
        check_runs.rerun_check(sent.id, "astrology", actor=world.owner)
    db.session.rollback()
    sent.status = S.DECIDED
    db.session.commit()
    with pytest.raises(check_runs.CheckError, match="has been decided"):
        check_runs.rerun_check(sent.id, "documents", actor=world.owner)


# --- the embedded default ---------------------------------------------------------------------


def test_in_process_the_checks_run_straight_after_the_submission_commits(world: World) -> None:
    application = ready_to_send(world, [1])
    submission.submit(application, DECLARATION, actor=world.owner, at=DURING_THE_PERIOD)
    assert application.status == S.READY_FOR_REVIEW
    assert {r.state for r in results(application)} == {CheckState.DONE}
    assert {r.attempts for r in results(application)} == {1}
