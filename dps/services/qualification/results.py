"""The qualification checks' results as the review pages read them: by run, and the latest."""

from __future__ import annotations

from sqlalchemy import select

from dps.extensions import db
from dps.models.checks import CheckResult, CheckRun
from dps.services.qualification.registry import position


def results_by_run(application_id: int) -> list[tuple[CheckRun, list[CheckResult]]]:
    """The application's runs, newest first, each with its results in reading order."""
    runs = db.session.scalars(
        select(CheckRun)
        .where(CheckRun.application_id == application_id)
        .order_by(CheckRun.number.desc())
    )
    return [(run, sorted(run.results, key=reading_order)) for run in runs]


def latest_results(application_id: int) -> dict[tuple[str, str], CheckResult]:
    """The newest result of each check and scope, whatever its state, in reading order."""
    latest: dict[tuple[str, str], CheckResult] = {}
    for _run, results in reversed(results_by_run(application_id)):
        for result in results:
            latest[(result.check, result.scope)] = result
    return dict(sorted(latest.items(), key=lambda item: reading_order(item[1])))


def reading_order(result: CheckResult) -> tuple[tuple[int, str], int]:
    return (position(result.check), result.lot.number if result.lot else 0)
