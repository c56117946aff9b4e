"""The snapshot of a submitted application: what was sent, only the questions that applied,
a stable checksum that detects a change, and untouched by later answers."""

from __future__ import annotations

import copy

import pytest

from dps.extensions import db
from dps.models import Application
from dps.services.applications import snapshot as application_snapshot
from dps.services.suppliers import profiles, questionnaire
from tests.fixtures.application_world import (
    World,
    ready_to_send,
)

# --- the snapshot ---------------------------------------------------------------------------
from tests.fixtures.applying import (
    submit,
)
from tests.fixtures.questionnaire_world import COMPLETE_INPUT

pytestmark = pytest.mark.usefixtures("checks_not_installed")


def test_the_snapshot_keeps_what_was_sent(world: World) -> None:
    draft = ready_to_send(world, [1, 2])
    submit(world, draft)
    snapshot = draft.snapshot
    assert snapshot is not None
    version = questionnaire.current_version()
    assert snapshot["questionnaire"] == {
        "key": version.key,
        "version": version.version,
        "checksum": version.checksum,
    }
    assert snapshot["lots"] == [
        {"number": 1, "title": "Policy Development & Testing"},
        {"number": 2, "title": "Capacity Building"},
    ]
    assert snapshot["profile"]["legal_name"] == "Co-operative Futures Ltd"
    assert snapshot["profile"]["employees"] == 12
    assert snapshot["answers"]["annual_turnover"] == 125_000_000
    assert snapshot["declaration"]["name"] == "Ada Lovelace"
    kept = {d["kind"]: d for d in snapshot["documents"]}
    assert set(kept) >= {"accounts", "data_protection_policy"}
    assert set(kept["accounts"]) == {"id", "kind", "title", "filename", "sha256", "expires_on"}
    assert len(kept["accounts"]["sha256"]) == 64


def test_questions_for_a_lot_not_chosen_are_not_in_the_snapshot(world: World) -> None:
    draft = ready_to_send(world, [1])
    stored = questionnaire.answers_for(world.supplier.id).answers
    assert "lot2_legacy" in stored and "lot2_case_studies" in stored
    submit(world, draft)
    answers = draft.snapshot["answers"]  # type: ignore[index]
    assert "lot1_policy_experience" in answers and "lot1_case_studies" in answers
    assert "lot2_legacy" not in answers and "lot2_case_studies" not in answers


def test_employers_liability_is_not_in_the_snapshot_of_an_organisation_without_employees(
    world: World,
) -> None:
    draft = ready_to_send(world, [1])
    assert "employers_liability_cover" in questionnaire.answers_for(world.supplier.id).answers
    profiles.update_profile(world.supplier.id, {"employees": "0", "size": "micro"}, world.owner)
    submit(world, draft)
    answers = draft.snapshot["answers"]  # type: ignore[index]
    assert "public_liability_cover" in answers
    assert "employers_liability_cover" not in answers
    assert "employers_liability_expiry" not in answers


def test_a_sole_bidder_has_no_consortium_members_in_the_snapshot(world: World) -> None:
    draft = ready_to_send(world, [2])
    errors = questionnaire.save_section(
        world.supplier.id, "bidding", {"bid_type": "alone", "part_of_group": "no"}, world.owner
    )
    assert errors == {}
    submit(world, draft)
    answers = draft.snapshot["answers"]  # type: ignore[index]
    assert answers["bid_type"] == "alone"
    assert "consortium_members" not in answers


def test_the_checksum_is_stable_and_detects_a_change(world: World) -> None:
    draft = ready_to_send(world, [1, 2])
    submit(world, draft)
    checksum = draft.snapshot_checksum
    assert checksum is not None and len(checksum) == 64

    # Read back from the database, the snapshot has the same checksum.
    db.session.expire_all()
    stored = db.session.get(Application, draft.id)
    assert stored is not None and stored.snapshot is not None
    assert application_snapshot.checksum(stored.snapshot) == checksum
    assert application_snapshot.is_intact(stored)
    # Key order does not matter; any change to a value does.
    assert application_snapshot.checksum(dict(reversed(stored.snapshot.items()))) == checksum
    changed = copy.deepcopy(stored.snapshot)
    changed["answers"]["annual_turnover"] += 1
    assert application_snapshot.checksum(changed) != checksum
    stored.snapshot = changed
    assert not application_snapshot.is_intact(stored)


def test_later_changes_to_the_answers_leave_the_snapshot_alone(world: World) -> None:
    draft = ready_to_send(world, [1])
    submit(world, draft)
    economic_standing = {**COMPLETE_INPUT["economic_standing"], "annual_turnover": "2,000,000"}
    questionnaire.save_section(
        world.supplier.id, "economic_standing", economic_standing, world.owner
    )
    db.session.expire_all()
    assert questionnaire.answers_for(world.supplier.id).answers["annual_turnover"] == 200_000_000
    sent = db.session.get(Application, draft.id)
    assert sent is not None and sent.snapshot is not None
    assert sent.snapshot["answers"]["annual_turnover"] == 125_000_000
    assert application_snapshot.is_intact(sent)
