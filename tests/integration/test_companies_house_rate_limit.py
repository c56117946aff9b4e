"""Two worker processes together keep to the Companies House rate limit.

Real `celery -A workers worker` processes (four pool processes each) on a Redis server the test
starts on its own port, against the migrated PostgreSQL database, run many Companies House
checks at once with the limit lowered to 5 requests in 2 seconds. The stub records when each
request arrives: in no 2-second window does it see more than 5, and every check still ends with
the register's answer.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from dps.extensions import db
from dps.models import Application, ApplicationLot
from dps.models.base import utcnow
from dps.models.checks import CheckResult
from dps.rules.enums import ApplicationStatus, CheckOutcome, CheckState
from dps.services.applications import drafting
from dps.services.qualification import runs as check_runs
from dps.services.suppliers import questionnaire
from tests.fixtures.ch_stub import CompaniesHouseStub, most_in_any_window
from tests.fixtures.helpers import make_supplier
from tests.fixtures.questionnaire_world import World, make_world
from tests.integration.conftest import CeleryProcesses

pytestmark = [pytest.mark.worker, pytest.mark.redis, pytest.mark.postgres]

LIMIT, WINDOW = 5, 2.0
CHECKS_AT_ONCE = 20
KEY = "integration-key"


@pytest.fixture
def stub() -> Iterator[CompaniesHouseStub]:
    with CompaniesHouseStub(api_key=KEY) as running:
        yield running


def sent_application(world: World, index: int, stub: CompaniesHouseStub) -> Application:
    """A supplier's application, sent and with the reviewers, whose company is on the register."""
    number = f"07{index:06d}"
    stub.add_company(number, f"RATE TEST {index} LIMITED")
    organisation = make_supplier(f"Rate Test {index} Ltd", number)
    application = Application(
        organisation_id=organisation.id,
        dps=world.dps,
        status=ApplicationStatus.READY_FOR_REVIEW,
        questionnaire_version=questionnaire.current_version(),
        submitted_at=utcnow() - timedelta(days=1),
        lots=[ApplicationLot(lot=world.lots[1])],
        snapshot={
            "lots": [{"number": 1, "title": world.lots[1].title}],
            "profile": {
                "legal_name": f"Rate Test {index} Ltd",
                "legal_form": "company",
                "companies_house_number": number,
            },
        },
    )
    db.session.add(application)
    db.session.flush()
    application.reference = drafting.REFERENCE_FORMAT.format(id=application.id)
    return application


def companies_house_results() -> list[CheckResult]:
    db.session.expire_all()
    return list(
        db.session.scalars(sa.select(CheckResult).where(CheckResult.check == "companies_house"))
    )


def wait_until_done(count: int, timeout: float) -> list[CheckResult]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        results = companies_house_results()
        if len(results) == count and all(r.state == CheckState.DONE for r in results):
            return results
        time.sleep(0.25)
    return companies_house_results()


@pytest.mark.timeout(240)
def test_two_workers_never_send_more_than_the_limit_in_any_window(
    broker_app: Flask, celery_processes: CeleryProcesses, stub: CompaniesHouseStub
) -> None:
    world = make_world()
    celery_processes.env.update(
        COMPANIES_HOUSE_API_URL=stub.url,
        COMPANIES_HOUSE_API_KEY=KEY,
        COMPANIES_HOUSE_RATE_LIMIT=f"{LIMIT} per {WINDOW:g} seconds",
        COMPANIES_HOUSE_TIMEOUT_SECONDS="5",
    )
    logs = [celery_processes.worker(f"worker-{n}", concurrency=4) for n in (1, 2)]
    for log in logs:
        celery_processes.wait_for_log(log, "ready.")

    for index in range(CHECKS_AT_ONCE):
        application = sent_application(world, index, stub)
        check_runs.start_run(
            application_id=application.id, reason="rerun", actor=None, only=["companies_house"]
        )
    db.session.commit()  # after the commit the outbox hands every check to the workers at once

    results = wait_until_done(CHECKS_AT_ONCE, timeout=150)

    assert [r.state for r in results] == [CheckState.DONE] * CHECKS_AT_ONCE, celery_processes.logs()
    assert {r.outcome for r in results} == {CheckOutcome.PASS}, [r.reason for r in results]
    seen = [request["at"] for request in stub.requests()]
    assert len(seen) == CHECKS_AT_ONCE  # one look-up each: nothing sent twice or dropped
    assert most_in_any_window(seen, WINDOW) <= LIMIT
    # The limit was what paced them: 20 requests at 5 in 2 seconds span at least 6 seconds.
    assert max(seen) - min(seen) >= (CHECKS_AT_ONCE / LIMIT - 1) * WINDOW - 0.1
    # Both processes took part, each counting against the same limit.
    for log in logs:
        assert "run_check" in log.read_text(errors="replace"), celery_processes.logs()
