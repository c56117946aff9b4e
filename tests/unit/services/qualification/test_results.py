"""The checks' results as the review pages read them: by run, newest first, and the latest."""

from __future__ import annotations

import pytest

from dps.extensions import db
from dps.models import Application
from dps.services.qualification import results as check_results
from dps.services.qualification import runs as check_runs
from tests.fixtures.application_world import (
    World,
)
from tests.fixtures.checks_world import (
    O,
    S,
    emails_about,
    events,
    kept,
    results,
    run_all,
    stored_path,
)

# The tests that run each step by hand hand their tasks to a broker nobody reads.
pytestmark = pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")


def test_an_administrator_runs_one_check_again_and_the_earlier_run_is_kept(
    sent: Application, world: World
) -> None:
    check_runs.start_submission_checks(sent.id)
    run_all(sent)
    officer = world.rival_owner  # anyone: access to the page is the page's business
    earlier = check_results.latest_results(sent.id)[("documents", "all")]
    # The accounts have been tampered with since the first run.
    stored_path(next(d["id"] for d in kept(sent)["documents"] if d["kind"] == "accounts")).unlink()

    rerun = check_runs.rerun_check(sent.id, "documents", actor=officer)
    assert (rerun.number, rerun.reason, rerun.requested_by_id) == (2, "rerun", officer.id)
    [again] = [r for r in results(sent) if r.run_id == rerun.id]
    check_runs.run_check(again.id)

    runs = check_results.results_by_run(sent.id)
    assert (runs[0][0].number, [r.check for r in runs[0][1]]) == (2, ["documents"])
    assert runs[1][0].number == 1 and len(runs[1][1]) > 1
    latest = check_results.latest_results(sent.id)
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
