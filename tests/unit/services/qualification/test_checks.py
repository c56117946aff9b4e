"""The qualification checks: every check's outcomes on the snapshot a real submission keeps,
the recommendation rules, and the pipeline's promises — a check done once however often its
task arrives, a run closed once, checks cancelled on withdrawal, passing faults retried."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, current_app

from dps.celery_app import QUEUE_CHECKS, celery
from dps.extensions import db
from dps.models import Application, AuditEvent, CheckResult, CheckRun, OutboxMessage, User
from dps.models.documents import Document
from dps.models.suppliers import SupplierProfile
from dps.rules.enums import (
    ApplicationStatus,
    CheckOutcome,
    CheckState,
    OutboxKind,
    Recommendation,
)
from dps.rules.names import names_match
from dps.services.applications import submission
from dps.services.qualification import checks
from dps.services.qualification.checks import CheckContext, CheckVerdict, TransientCheckError
from dps.services.suppliers import documents
from tests.fixtures.application_world import (
    DECLARATION,
    DURING_THE_PERIOD,
    World,
    make_world,
    ready_to_send,
)
from tests.fixtures.ch_stub import DEFAULT_API_KEY, CompaniesHouseStub
from tests.fixtures.helpers import make_supplier

# The tests that run each step by hand hand their tasks to a broker nobody reads.
pytestmark = pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")

S = ApplicationStatus
O = CheckOutcome  # noqa: E741
POUNDS = 100  # pence

# What the lots ask for. The world's supplier (tests/questionnaire_world.py) has twelve
# employees, a turnover of £1,250,000 and cover of £5m, £5m and £1m.
LEVELS = {
    1: {
        "min_annual_turnover_pence": 100_000 * POUNDS,
        "min_employers_liability_pence": 5_000_000 * POUNDS,
        "min_public_liability_pence": 5_000_000 * POUNDS,
        "min_professional_indemnity_pence": 1_000_000 * POUNDS,
    },
    2: {
        "min_annual_turnover_pence": 250_000 * POUNDS,
        "min_employers_liability_pence": 5_000_000 * POUNDS,
        "min_public_liability_pence": 2_000_000 * POUNDS,
        "min_professional_indemnity_pence": 0,
    },
}
TODAY = date.today()


@pytest.fixture
def world(app: Flask) -> World:
    world = make_world()
    for number, levels in LEVELS.items():
        for name, pence in levels.items():
            setattr(world.lots[number], name, pence)
    db.session.commit()
    return world


@pytest.fixture
def by_hand(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tasks handed to a broker nobody reads: the test runs each step itself."""
    monkeypatch.setitem(app.config, "TASKS_IN_PROCESS", False)


@pytest.fixture
def sent(world: World, by_hand: None) -> Application:
    """The supplier's application for both lots, sent, its checks not started."""
    application = ready_to_send(world, [1, 2])
    submission.submit(application, DECLARATION, actor=world.owner, at=DURING_THE_PERIOD)
    assert application.status == S.SUBMITTED
    return application


@pytest.fixture
def companies_house(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[CompaniesHouseStub]:
    """The Companies House API as a local stub, which knows the world's supplier as active."""
    with CompaniesHouseStub() as stub:
        monkeypatch.setitem(app.config, "COMPANIES_HOUSE_API_URL", stub.url)
        monkeypatch.setitem(app.config, "COMPANIES_HOUSE_API_KEY", DEFAULT_API_KEY)
        yield stub


@pytest.fixture
def extra_check() -> Iterator[Callable[..., str]]:
    """Register a check of the test's own for the length of the test."""
    added: list[str] = []

    def add(name: str, function: Callable[[CheckContext], CheckVerdict]) -> str:
        checks.register(name, label=name.replace("_", " "))(function)
        added.append(name)
        return name

    yield add
    for name in added:
        checks.CHECKS.pop(name, None)


def kept(application: Application) -> dict[str, Any]:
    """A copy of the snapshot the application keeps, to read or change."""
    assert application.snapshot is not None
    return copy.deepcopy(application.snapshot)


def context(
    application: Application,
    *,
    lot: int | None = None,
    snapshot: dict[str, Any] | None = None,
    today: date = TODAY,
) -> CheckContext:
    lots = {al.lot.number: al.lot for al in application.lots}
    return CheckContext(
        run_id=0,
        organisation_id=application.organisation_id,
        snapshot=snapshot if snapshot is not None else kept(application),
        lot=lots[lot] if lot is not None else None,
        today=today,
        application_id=application.id,
    )


def check(name: str, ctx: CheckContext) -> CheckVerdict:
    return checks.CHECKS[name].function(ctx)


def changed(application: Application, **answers: Any) -> dict[str, Any]:
    snapshot = kept(application)
    for key, value in answers.items():
        if value is None:
            snapshot["answers"].pop(key, None)
        else:
            snapshot["answers"][key] = value
    return snapshot


# --- completeness ------------------------------------------------------------------------------


def test_completeness_passes_each_lot_whose_every_question_is_answered(sent: Application) -> None:
    for lot in (1, 2):
        verdict = check("completeness", context(sent, lot=lot))
        assert verdict.outcome == O.PASS
        assert verdict.reason == f"Every question asked for Lot {lot} was answered."
        assert verdict.evidence["gaps"] == []


def test_completeness_fails_only_the_lot_whose_questions_are_missing(sent: Application) -> None:
    snapshot = changed(sent, lot1_case_studies=None, lot1_service_redesign=None)
    lot_1 = check("completeness", context(sent, lot=1, snapshot=snapshot))
    assert lot_1.outcome == O.FAIL
    assert lot_1.reason.startswith("2 answers are missing or not valid for Lot 1.")
    assert "Case studies for Lot 1" in lot_1.reason
    assert [gap["question"] for gap in lot_1.evidence["gaps"]] == [
        "lot1_case_studies",
        "lot1_service_redesign",
    ]
    assert check("completeness", context(sent, lot=2, snapshot=snapshot)).outcome == O.PASS


def test_completeness_is_an_error_when_the_questionnaire_is_not_on_record(
    sent: Application,
) -> None:
    snapshot = kept(sent)
    snapshot["questionnaire"]["checksum"] = "0" * 64
    verdict = check("completeness", context(sent, lot=1, snapshot=snapshot))
    assert verdict.outcome == O.ERROR
    assert "is not on record" in verdict.reason


# --- exclusion grounds ----------------------------------------------------------------------


def test_no_mandatory_ground_declared_passes(sent: Application) -> None:
    verdict = check("mandatory_exclusions", context(sent))
    assert verdict.outcome == O.PASS
    assert verdict.reason == "The supplier declared none of the 8 mandatory exclusion grounds."


def test_any_mandatory_ground_declared_fails_and_names_it(sent: Application) -> None:
    snapshot = changed(
        sent,
        mx_fraud="yes",
        mx_fraud_details="A former director was convicted of fraud in 2023.",
        mx_fraud_self_cleaning="The director left; we paid back every penny.",
    )
    verdict = check("mandatory_exclusions", context(sent, snapshot=snapshot))
    assert verdict.outcome == O.FAIL
    assert verdict.reason == "The supplier declared a mandatory exclusion ground: fraud."
    assert verdict.evidence["grounds"]["mx_fraud"]["self_cleaning"] == (
        "The director left; we paid back every penny."
    )


def test_two_mandatory_grounds_are_both_named(sent: Application) -> None:
    snapshot = changed(sent, mx_bribery="yes", mx_terrorism="yes")
    verdict = check("mandatory_exclusions", context(sent, snapshot=snapshot))
    assert verdict.reason == (
        "The supplier declared a mandatory exclusion ground: bribery and terrorist offences."
    )


def test_a_mandatory_ground_without_an_answer_is_referred(sent: Application) -> None:
    verdict = check("mandatory_exclusions", context(sent, snapshot=changed(sent, mx_tax=None)))
    assert verdict.outcome == O.REFER
    assert "No answer was sent about not paying taxes" in verdict.reason


def test_no_discretionary_ground_declared_passes(sent: Application) -> None:
    assert check("discretionary_exclusions", context(sent)).outcome == O.PASS


def test_a_discretionary_ground_is_referred_quoting_the_self_cleaning(sent: Application) -> None:
    snapshot = changed(
        sent,
        dx_insolvency="yes",
        dx_insolvency_details="A company voluntary arrangement agreed in March 2025.",
        dx_insolvency_self_cleaning="All payments under the arrangement are up to date.",
    )
    verdict = check("discretionary_exclusions", context(sent, snapshot=snapshot))
    assert verdict.outcome == O.REFER
    assert verdict.reason == (
        "The supplier declared insolvency: “A company voluntary arrangement agreed in March "
        "2025.”. Self-cleaning given: “All payments under the arrangement are up to date.”."
    )


def test_a_discretionary_ground_without_self_cleaning_says_so(sent: Application) -> None:
    snapshot = changed(
        sent, dx_conflict_of_interest="yes", dx_conflict_of_interest_details="A trustee's son."
    )
    verdict = check("discretionary_exclusions", context(sent, snapshot=snapshot))
    assert verdict.outcome == O.REFER
    assert verdict.reason.endswith("No self-cleaning was given.")
    assert "a conflict of interest" in verdict.reason


# --- insurance ------------------------------------------------------------------------------


def test_insurance_at_the_lots_levels_and_in_date_passes(sent: Application) -> None:
    verdict = check("insurance", context(sent, lot=1))
    assert verdict.outcome == O.PASS
    covers = verdict.evidence["covers"]
    assert covers["public_liability"]["cover_pence"] == 5_000_000 * POUNDS
    assert covers["public_liability"]["minimum_pence"] == 5_000_000 * POUNDS
    # Lot 2 sets no minimum for professional indemnity: that cover is not looked at.
    assert (
        "professional_indemnity" not in check("insurance", context(sent, lot=2)).evidence["covers"]
    )


def test_cover_below_the_lots_minimum_fails_with_both_amounts(
    sent: Application, world: World
) -> None:
    world.lots[1].min_public_liability_pence = 10_000_000 * POUNDS
    verdict = check("insurance", context(sent, lot=1))
    assert verdict.outcome == O.FAIL
    assert verdict.reason == (
        "Public liability cover of £5,000,000 is below Lot 1’s minimum of £10,000,000."
    )
    assert check("insurance", context(sent, lot=2)).outcome == O.PASS


def test_a_certificate_that_has_expired_by_today_fails(sent: Application) -> None:
    expiry = date.fromisoformat(kept(sent)["answers"]["public_liability_expiry"])
    verdict = check("insurance", context(sent, lot=2, today=expiry))
    assert verdict.outcome == O.FAIL
    assert "Public liability insurance expired on" in verdict.reason
    assert "The public liability insurance certificate expired on" in verdict.reason


def test_employers_liability_does_not_apply_without_employees(sent: Application) -> None:
    snapshot = changed(sent, employers_liability_cover=None, employers_liability_expiry=None)
    snapshot["context"]["employees"] = 0
    snapshot["documents"] = [d for d in snapshot["documents"] if d["kind"] != "employers_liability"]
    verdict = check("insurance", context(sent, lot=1, snapshot=snapshot))
    assert verdict.outcome == O.PASS
    assert verdict.evidence["covers"]["employers_liability"]["applies"] is False


def test_insurance_is_not_applicable_to_a_lot_that_asks_for_none(
    sent: Application, world: World
) -> None:
    for name in ("employers", "public", "professional"):
        field = "indemnity" if name == "professional" else "liability"
        setattr(world.lots[2], f"min_{name}_{field}_pence", 0)
    verdict = check("insurance", context(sent, lot=2))
    assert (verdict.outcome, verdict.reason) == (
        O.NOT_APPLICABLE,
        "Lot 2 sets no minimum insurance.",
    )


def test_a_cover_not_answered_fails(sent: Application) -> None:
    snapshot = changed(sent, professional_indemnity_cover=None)
    verdict = check("insurance", context(sent, lot=1, snapshot=snapshot))
    assert verdict.outcome == O.FAIL
    assert verdict.reason == "Professional indemnity insurance: no amount of cover was sent."


# --- financial standing ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("threshold_pounds", "outcome"),
    [(1_000_000, O.PASS), (1_250_000, O.PASS), (1_250_001, O.FAIL)],
)
def test_turnover_against_the_lots_threshold(
    sent: Application, world: World, threshold_pounds: int, outcome: CheckOutcome
) -> None:
    world.lots[1].min_annual_turnover_pence = threshold_pounds * POUNDS
    verdict = check("financial_standing", context(sent, lot=1))
    assert verdict.outcome == outcome
    assert verdict.evidence["turnover_pence"] == 1_250_000 * POUNDS
    assert verdict.evidence["threshold_pence"] == threshold_pounds * POUNDS


def test_turnover_below_the_threshold_names_both_figures(sent: Application, world: World) -> None:
    world.lots[2].min_annual_turnover_pence = 2_000_000 * POUNDS
    verdict = check("financial_standing", context(sent, lot=2))
    assert verdict.reason == (
        "Latest annual turnover of £1,250,000 is below Lot 2’s minimum of £2,000,000."
    )


def test_a_new_organisations_other_evidence_is_referred(sent: Application) -> None:
    snapshot = changed(
        sent,
        accounts_available="too_new",
        annual_turnover=None,
        turnover_year_end=None,
        trading_months=7,
        alternative_evidence="A bank reference and management accounts to October.",
    )
    verdict = check("financial_standing", context(sent, lot=1, snapshot=snapshot))
    assert verdict.outcome == O.REFER
    assert "trading for 7 months" in verdict.reason
    assert "“A bank reference and management accounts to October.”" in verdict.reason
    assert verdict.evidence["alternative_evidence"].startswith("A bank reference")


def test_no_threshold_is_not_applicable(sent: Application, world: World) -> None:
    world.lots[1].min_annual_turnover_pence = 0
    verdict = check("financial_standing", context(sent, lot=1))
    assert verdict.outcome == O.NOT_APPLICABLE


# --- duplicate organisation -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        ("Co-operative Futures Ltd", "CO-OPERATIVE FUTURES LIMITED", True),
        ("Co-operative Futures Ltd.", "co operative  futures", True),
        ("Capacity Works CIC", "Capacity Works", True),
        ("Northern Digital PLC", "northern digital plc", True),
        ("Co-operative Futures Ltd", "Co-operative Features Ltd", False),
        ("Limited Editions Ltd", "Editions", False),
    ],
)
def test_names_compared_after_normalising(one: str, other: str, same: bool) -> None:
    assert names_match(one, other) is same


def test_no_other_organisation_alike_passes(sent: Application) -> None:
    verdict = check("duplicate_organisation", context(sent))
    assert verdict.outcome == O.PASS
    assert verdict.evidence["matches"] == []


def test_another_organisation_with_the_same_company_number_is_referred(
    sent: Application, world: World
) -> None:
    db.session.add(
        SupplierProfile(
            organisation_id=world.rival.id,
            legal_name="Rival Consulting Ltd",
            companies_house_number="09345678",
        )
    )
    db.session.commit()
    verdict = check("duplicate_organisation", context(sent))
    assert verdict.outcome == O.REFER
    assert verdict.reason == (
        f"Rival Consulting Ltd (organisation {world.rival.id}) has the same Companies House "
        "number 09345678. Check whether they are the same organisation."
    )


def test_another_organisation_with_the_same_name_is_referred(sent: Application) -> None:
    twin = make_supplier("CO-OPERATIVE FUTURES LIMITED")
    db.session.add(SupplierProfile(organisation_id=twin.id, legal_name=twin.name))
    db.session.commit()
    verdict = check("duplicate_organisation", context(sent))
    assert verdict.outcome == O.REFER
    assert verdict.evidence["matches"] == [
        {"organisation_id": twin.id, "name": "CO-OPERATIVE FUTURES LIMITED", "same": ["name"]}
    ]


# --- documents ------------------------------------------------------------------------------


def stored_path(document_id: int) -> Path:
    document = db.session.get(Document, document_id)
    assert document is not None
    return Path(current_app.config["DOCUMENT_STORAGE_PATH"]) / document.storage_key


def test_every_document_present_in_date_and_unchanged_passes(sent: Application) -> None:
    verdict = check("documents", context(sent))
    assert verdict.outcome == O.PASS
    assert verdict.evidence["required"] == [
        "employers_liability",
        "public_liability",
        "professional_indemnity",
        "accounts",
        "data_protection_policy",
        "health_and_safety_policy",
        "equality_policy",
    ]
    assert all(found["matches"] for found in verdict.evidence["documents"])


def test_a_stored_file_that_changed_fails(sent: Application) -> None:
    accounts = next(d for d in kept(sent)["documents"] if d["kind"] == "accounts")
    path = stored_path(accounts["id"])
    path.chmod(0o600)
    path.write_bytes(b"%PDF-1.4\nsomething else entirely\n%%EOF\n")
    verdict = check("documents", context(sent))
    assert verdict.outcome == O.FAIL
    assert verdict.reason == (
        "Latest annual accounts (accounts.pdf) no longer matches its SHA-256 checksum: "
        "the stored file has changed or is missing."
    )


def test_a_stored_file_that_is_gone_fails(sent: Application) -> None:
    equality = next(d for d in kept(sent)["documents"] if d["kind"] == "equality_policy")
    stored_path(equality["id"]).unlink()
    verdict = check("documents", context(sent))
    assert verdict.outcome == O.FAIL
    assert [d["id"] for d in verdict.evidence["documents"] if not d["matches"]] == [equality["id"]]


def test_a_required_document_missing_or_expired_fails(sent: Application) -> None:
    snapshot = kept(sent)
    snapshot["documents"] = [d for d in snapshot["documents"] if d["kind"] != "accounts"]
    expiry = date.fromisoformat(
        next(d for d in snapshot["documents"] if d["kind"] == "public_liability")["expires_on"]
    )
    verdict = check("documents", context(sent, snapshot=snapshot, today=expiry))
    assert verdict.outcome == O.FAIL
    assert "No latest annual accounts was sent." in verdict.reason
    assert "Public liability insurance certificate expired on" in verdict.reason
    assert verdict.evidence["missing"] == ["accounts"]


def test_a_document_store_that_cannot_be_read_is_a_passing_fault(
    sent: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreadable(document: Any) -> bool:
        raise ConnectionResetError("the store reset the connection")

    monkeypatch.setattr(documents, "verify_checksum", unreadable)
    with pytest.raises(TransientCheckError, match="could not be read"):
        check("documents", context(sent))


# --- the recommendation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcomes", "recommended"),
    [
        ([O.PASS, O.PASS, O.NOT_APPLICABLE], Recommendation.ADMIT),
        ([O.PASS, O.FAIL, O.REFER], Recommendation.REJECT),
        ([O.FAIL, O.ERROR], Recommendation.REJECT),
        ([O.PASS, O.REFER], Recommendation.REFER),
        ([O.PASS, O.ERROR], Recommendation.REFER),
        ([O.PASS, None], Recommendation.REFER),  # a check not done
    ],
)
def test_the_recommendation_rules(
    outcomes: list[CheckOutcome | None], recommended: Recommendation
) -> None:
    assert checks.recommendation(outcomes) == recommended


# --- the pipeline -----------------------------------------------------------------------------


def results(application: Application) -> list[CheckResult]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            db.select(CheckResult)
            .join(CheckRun)
            .where(CheckRun.application_id == application.id)
            .order_by(CheckResult.id)
        )
    )


def run_all(application: Application) -> None:
    for result in results(application):
        checks.run_check(result.id)


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action)))


def emails_about(application: Application) -> list[str]:
    return [
        message.payload["subject"]
        for message in db.session.scalars(
            db.select(OutboxMessage)
            .where(OutboxMessage.kind == OutboxKind.EMAIL)
            .order_by(OutboxMessage.id)
        )
        if application.reference in message.payload["subject"]
    ]


def test_starting_makes_a_pending_result_per_check_and_lot_handed_over_after_commit(
    sent: Application,
) -> None:
    run = checks.start_submission_checks(sent.id)
    assert run is not None and (run.number, run.reason) == (1, "submission")
    db.session.refresh(sent)
    assert sent.status == S.CHECKING
    lot_ids = sorted(al.lot_id for al in sent.lots)
    expected = {
        (check.name, scope)
        for check in checks.registered()
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
            OutboxMessage.payload["name"].as_string() == checks.RUN_CHECK_TASK,
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
    assert checks.start_submission_checks(sent.id) is None
    assert [(r.id, r.check, r.scope) for r in results(sent)] == first
    assert db.session.scalar(db.select(db.func.count()).select_from(CheckRun)) == 1
    assert len(events("application.checking")) == 1


def test_when_every_check_is_done_the_application_is_ready_with_a_recommendation_per_lot(
    sent: Application, world: World, companies_house: CompaniesHouseStub
) -> None:
    world.lots[2].min_annual_turnover_pence = 2_000_000 * POUNDS  # more than it turns over
    db.session.commit()
    checks.start_submission_checks(sent.id)
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
    checks.start_submission_checks(sent.id)
    run_all(sent)

    def written() -> list[tuple[Any, ...]]:
        return [(r.state, r.outcome, r.reason, r.attempts, r.finished_at) for r in results(sent)]

    before = written()
    audited = db.session.scalar(db.select(db.func.count()).select_from(AuditEvent))
    for result in results(sent):
        celery.tasks[checks.RUN_CHECK_TASK].apply(args=[result.id], throw=True)
    assert written() == before
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)) == audited
    assert len(events("application.ready_for_review")) == 1
    assert len(events("check_run.completed")) == 1
    assert len(emails_about(sent)) == 2


def test_an_attempt_killed_midway_counts_and_the_next_one_finishes(sent: Application) -> None:
    checks.start_submission_checks(sent.id)
    first = results(sent)[0]
    # What a worker killed in the middle of the check leaves behind.
    first.state, first.attempts = CheckState.RUNNING, 1
    db.session.commit()
    checks.run_check(first.id)
    db.session.refresh(first)
    assert (first.state, first.attempts) == (CheckState.DONE, 2)


def test_withdrawing_cancels_the_checks_not_yet_done(sent: Application, world: World) -> None:
    checks.start_submission_checks(sent.id)
    done, *waiting = results(sent)
    checks.run_check(done.id)
    submission.withdraw(sent, reason="", actor=world.owner, at=DURING_THE_PERIOD)
    for result in waiting:
        checks.run_check(result.id)  # delivered after the withdrawal: does nothing
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
    checks.start_run(application_id=sent.id, reason="submission", actor=None, only=[name])
    db.session.commit()
    [result] = results(sent)
    checks.run_check(result.id)
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
    checks.start_run(application_id=sent.id, reason="rerun", actor=None, only=[name])
    db.session.commit()
    [result] = results(sent)
    celery.tasks[checks.RUN_CHECK_TASK].apply(args=[result.id], throw=True)
    [result] = results(sent)
    assert (result.state, result.outcome, result.attempts) == (CheckState.DONE, O.PASS, 3)
    assert result.evidence == {"tries": 3}


def test_a_fault_that_never_passes_is_an_error_after_the_last_try(
    sent: Application, extra_check: Callable[..., str]
) -> None:
    def down(ctx: CheckContext) -> CheckVerdict:
        raise TransientCheckError("the register is down")

    name = extra_check("register_down", down)
    checks.start_run(application_id=sent.id, reason="rerun", actor=None, only=[name])
    db.session.commit()
    [result] = results(sent)
    task = celery.tasks[checks.RUN_CHECK_TASK]
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
    checks.start_run(application_id=sent.id, reason="rerun", actor=None, only=[name])
    db.session.commit()
    [result] = results(sent)
    celery.tasks[checks.RUN_CHECK_TASK].apply(args=[result.id], throw=True)
    [result] = results(sent)
    assert (result.outcome, result.attempts) == (O.ERROR, 1)
    assert result.reason == "The check stopped with an unexpected fault. Check this by hand."
    assert result.evidence == {"error": "KeyError: 'missing'"}


def test_the_tasks_are_acknowledged_late_and_given_back_if_their_worker_dies() -> None:
    for name in (submission.CHECKS_TASK, checks.RUN_CHECK_TASK):
        task = celery.tasks[name]
        assert task.acks_late and task.reject_on_worker_lost
        assert celery.conf.task_routes[name] == {"queue": QUEUE_CHECKS}


# --- re-running a check -----------------------------------------------------------------------


def test_an_administrator_runs_one_check_again_and_the_earlier_run_is_kept(
    sent: Application, world: World
) -> None:
    checks.start_submission_checks(sent.id)
    run_all(sent)
    officer = world.rival_owner  # anyone: access to the page is the page's business
    earlier = checks.latest_results(sent.id)[("documents", "all")]
    # The accounts have been tampered with since the first run.
    stored_path(next(d["id"] for d in kept(sent)["documents"] if d["kind"] == "accounts")).unlink()

    rerun = checks.rerun_check(sent.id, "documents", actor=officer)
    assert (rerun.number, rerun.reason, rerun.requested_by_id) == (2, "rerun", officer.id)
    [again] = [r for r in results(sent) if r.run_id == rerun.id]
    checks.run_check(again.id)

    runs = checks.results_by_run(sent.id)
    assert (runs[0][0].number, [r.check for r in runs[0][1]]) == (2, ["documents"])
    assert runs[1][0].number == 1 and len(runs[1][1]) > 1
    latest = checks.latest_results(sent.id)
    assert latest[("documents", "all")].run_id == rerun.id
    assert latest[("documents", "all")].outcome == O.FAIL
    assert latest[("mandatory_exclusions", "all")].run_id == runs[1][0].id
    assert earlier.outcome == O.PASS  # kept as it was
    db.session.refresh(rerun)
    assert rerun.recommendation is not None
    assert set(rerun.recommendation.values()) == {"reject"}
    db.session.refresh(sent)
    assert sent.status == S.READY_FOR_REVIEW
    [audited] = events("application.check_rerun")
    assert audited.actor_user_id == officer.id and audited.after == {"check": "documents", "run": 2}
    assert len(emails_about(sent)) == 2  # no second "with our reviewers"


def test_a_check_is_run_again_only_between_checking_and_the_decision(
    sent: Application, world: World
) -> None:
    with pytest.raises(checks.CheckError, match="has not been checked yet"):
        checks.rerun_check(sent.id, "documents", actor=world.owner)
    db.session.rollback()
    checks.start_submission_checks(sent.id)
    run_all(sent)
    with pytest.raises(checks.CheckError, match="There is no check called astrology"):
        checks.rerun_check(sent.id, "astrology", actor=world.owner)
    db.session.rollback()
    sent.status = S.DECIDED
    db.session.commit()
    with pytest.raises(checks.CheckError, match="has been decided"):
        checks.rerun_check(sent.id, "documents", actor=world.owner)


# --- the embedded default ---------------------------------------------------------------------


def test_in_process_the_checks_run_straight_after_the_submission_commits(world: World) -> None:
    application = ready_to_send(world, [1])
    submission.submit(application, DECLARATION, actor=world.owner, at=DURING_THE_PERIOD)
    assert application.status == S.READY_FOR_REVIEW
    assert {r.state for r in results(application)} == {CheckState.DONE}
    assert {r.attempts for r in results(application)} == {1}


def test_completeness_reads_the_answers_as_on_the_day_they_were_sent(
    sent: Application,
) -> None:
    # Expiry dates had to be in the future when sent; years later they are read as then.
    later = TODAY + timedelta(days=4000)
    assert check("completeness", context(sent, lot=1, today=later)).outcome == O.PASS
