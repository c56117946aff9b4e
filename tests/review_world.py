"""A world for the review tests: the application world plus Oldham's officers, applications
sent through the real submission and brought to review with a finished run of checks, and a
fast way to fill the queue with thousands of applications (Core bulk inserts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from dps.extensions import db
from dps.models import Application, ApplicationLot, CheckResult, CheckRun, User
from dps.models.base import utcnow
from dps.models.enums import ApplicationStatus, CheckOutcome, CheckState, Role
from dps.rules import pcr2015
from dps.services import applications, questionnaire
from tests.application_world import DECLARATION, DURING_THE_PERIOD, World, make_world, ready_to_send
from tests.helpers import add_person

S = ApplicationStatus


@dataclass
class ReviewWorld:
    world: World
    officer: User
    colleague: User

    @property
    def owner(self) -> User:
        return self.world.owner


def make_review_world() -> ReviewWorld:
    world = make_world()
    oldham = world.dps.owner
    officer = add_person(
        oldham, "olu.officer@oldham.example.org", Role.ADMINISTRATOR, name="Olu Officer"
    )
    colleague = add_person(
        oldham, "sam.second@oldham.example.org", Role.ADMINISTRATOR, name="Sam Second"
    )
    return ReviewWorld(world, officer, colleague)


def sent(world: World, lot_numbers: list[int], at: datetime = DURING_THE_PERIOD) -> Application:
    """The supplier's application for these lots, sent through the real submission at ``at``."""
    application = ready_to_send(world, lot_numbers)
    applications.submit(application, DECLARATION, actor=world.owner, at=at)
    return application


def with_reviewers(
    application: Application,
    recommendation: dict[int, str] | None = None,
    *,
    at: datetime = DURING_THE_PERIOD,
) -> Application:
    """Bring a sent application to review as the checks leave it: one finished run of checks,
    with a result for the whole application and one per lot, and a recommendation per lot."""
    lots = sorted(application.lots, key=lambda al: al.lot.number)
    recommended = recommendation or {al.lot.number: "admit" for al in lots}
    applications.LIFECYCLE.move(application, S.CHECKING, actor=None)
    run = CheckRun(
        application_id=application.id,
        number=1,
        reason="submission",
        created_at=at,
        completed_at=at + timedelta(minutes=2),
        recommendation={str(al.lot_id): recommended[al.lot.number] for al in lots},
    )
    run.results = [
        CheckResult(
            check="mandatory_exclusions",
            scope="all",
            state=CheckState.DONE,
            outcome=CheckOutcome.PASS,
            reason="No mandatory grounds for exclusion declared.",
            evidence={"answers": {"mx_fraud": "no", "mx_bribery": "no"}},
            attempts=1,
            started_at=at,
            finished_at=at + timedelta(minutes=1),
        )
    ] + [
        CheckResult(
            check="financial_standing",
            scope=f"lot-{al.lot_id}",
            lot_id=al.lot_id,
            state=CheckState.DONE,
            outcome=CheckOutcome.FAIL
            if recommended[al.lot.number] == "reject"
            else CheckOutcome.PASS,
            reason=f"Turnover checked against the Lot {al.lot.number} threshold.",
            evidence={"turnover_pence": 125_000_000, "threshold_pence": 10_000_000},
            attempts=2,
            started_at=at,
            finished_at=at + timedelta(minutes=2),
        )
        for al in lots
    ]
    db.session.add(run)
    applications.LIFECYCLE.move(application, S.READY_FOR_REVIEW, actor=None, run=1)
    db.session.commit()
    return application


def ready_for_review(
    world: World, lot_numbers: list[int], recommendation: dict[int, str] | None = None
) -> Application:
    return with_reviewers(sent(world, lot_numbers), recommendation)


# --- Many applications at once ----------------------------------------------------------------


def bulk_applications(
    world: World,
    count: int,
    *,
    status: ApplicationStatus = S.READY_FOR_REVIEW,
    received: datetime = DURING_THE_PERIOD,
    lot_numbers: tuple[int, ...] = (1, 2),
    officer: User | None = None,
    start: int = 0,
) -> list[int]:
    """``count`` sent applications of the supplier, inserted in two statements (Core inserts of
    many rows), each received a minute after the last so their order is known."""
    version_id = questionnaire.current_version().id
    rows: list[dict[str, Any]] = []
    for n in range(start, start + count):
        at = received + timedelta(minutes=n)
        rows.append(
            {
                "reference": f"BULK-{n:06d}",
                "organisation_id": world.supplier.id,
                "dps_id": world.dps.id,
                "status": status,
                "questionnaire_version_id": version_id,
                "submitted_at": at,
                "decision_due_at": pcr2015.decision_due_at(at),
                "clock_extended": False,
                "created_at": utcnow(),
                "assigned_officer_id": officer.id if officer else None,
            }
        )
    db.session.execute(insert(Application), rows)
    ids = list(
        db.session.scalars(
            select(Application.id).where(
                Application.reference.in_([row["reference"] for row in rows])
            )
        )
    )
    db.session.execute(
        insert(ApplicationLot),
        [
            {"application_id": app_id, "lot_id": world.lots[number].id, "reason_codes": []}
            for app_id in ids
            for number in lot_numbers
        ],
    )
    db.session.commit()
    return ids
