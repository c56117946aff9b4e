"""The questionnaire on PostgreSQL, connected as the application's own (non-superuser) role:
published versions and JSON answers round-trip, pages save and keep what was typed."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dps.extensions import db
from dps.models import AnswerSet, AuditEvent, QuestionnaireVersion, User
from dps.rules.questionnaire.definition import PACKAGED_DEFINITION
from dps.services.suppliers import questionnaire
from tests.fixtures.helpers import sign_in
from tests.fixtures.questionnaire_world import (
    COMPLETE_INPUT,
    TWELVE_EMPLOYEES,
    answer_everything,
    draft_application,
    make_world,
)


@pytest.mark.postgres
def test_versions_and_answers_round_trip_on_postgres(pg_app: Flask, tmp_path: Path) -> None:
    world = make_world()
    first = questionnaire.current_version()
    assert questionnaire.publish(PACKAGED_DEFINITION).id == first.id
    answer_everything(world.supplier, world.owner)
    group = {"part_of_group": "yes", "parent_name": "Co-op Group", "parent_number": "IP00525R"}
    bidding = {**COMPLETE_INPUT["bidding"], **group}
    assert questionnaire.save_section(world.supplier.id, "bidding", bidding, world.owner) == {}
    db.session.expire_all()  # read back what PostgreSQL stored, not what the session holds

    answer_set = db.session.scalars(db.select(AnswerSet)).one()
    assert answer_set.answers["annual_turnover"] == 125_000_000
    assert answer_set.answers["turnover_year_end"] == "2026-03-31"
    assert answer_set.answers["consortium_members"][0]["registered_number"] == "11223344"
    assert questionnaire.gaps(first, answer_set.answers, [1, 2], TWELVE_EMPLOYEES) == []
    assert (
        db.session.scalar(
            db.select(db.func.count()).where(AuditEvent.action == "questionnaire.section_saved")
        )
        == len(questionnaire.sections_for(first, [1, 2])) + 1
    )

    # A new version: the answers carry across by question id the next time the supplier saves.
    raw = json.loads(PACKAGED_DEFINITION.read_text())
    raw["version"] = "2027.1"
    raw["sections"][0]["questions"] = [
        q for q in raw["sections"][0]["questions"] if q["id"] != "parent_number"
    ]
    path = tmp_path / "next.json"
    path.write_text(json.dumps(raw))
    second = questionnaire.publish(path)
    db.session.commit()
    questionnaire.save_section(
        world.supplier.id, "equality", {"eq_policy": "yes", "eq_finding": "no"}, world.owner
    )
    db.session.expire_all()
    answer_set = db.session.scalars(db.select(AnswerSet)).one()
    assert answer_set.questionnaire_version_id == second.id
    assert "parent_number" not in answer_set.answers
    assert answer_set.answers["parent_name"] == "Co-op Group"
    assert answer_set.answers["annual_turnover"] == 125_000_000
    versions = db.session.scalars(
        db.select(QuestionnaireVersion).order_by(QuestionnaireVersion.id)
    ).all()
    assert [(v.version, v.is_current) for v in versions] == [("2026.1", False), ("2027.1", True)]
    assert questionnaire.definition_of(versions[0]).question("parent_number") is not None


@pytest.mark.postgres
def test_a_section_page_saves_and_refuses_another_supplier_on_postgres(
    pg_client: FlaskClient,
) -> None:
    world = make_world()
    application = draft_application(world, world.supplier, [1])
    url = f"/supplier/applications/{application.id}/sections/economic_standing"

    sign_in(pg_client, world.owner)
    response = pg_client.post(
        url,
        data={
            "accounts_available": "yes",
            "annual_turnover": "£640,000.50",
            "turnover_year_end": ["31", "02", "2026"],
            "action": "later",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    answer_set = questionnaire.answers_for(world.supplier.id)
    assert answer_set.answers["annual_turnover"] == 64_000_050
    assert answer_set.pending_input == {"turnover_year_end": ["31", "02", "2026"]}
    page = pg_client.get(url)
    assert [box["value"] for box in page.soup.select("input[name=turnover_year_end]")] == [
        "31",
        "02",
        "2026",
    ]

    sign_in(pg_client, world.rival_owner)
    assert pg_client.get(url).status_code == 404
    assert pg_client.post(url, data={"accounts_available": "too_new"}).status_code == 404


@pytest.mark.postgres
def test_colleagues_saving_sections_at_once_lose_nothing_on_postgres(pg_app: Flask) -> None:
    world = make_world()
    organisation_id, owner_id = world.supplier.id, world.owner.id
    questionnaire.save_section(organisation_id, "equality", COMPLETE_INPUT["equality"], None)
    sections = [s for s in COMPLETE_INPUT if s not in ("equality", "lot2_case_studies")]
    start = threading.Barrier(len(sections))
    failures: list[BaseException] = []

    def save(section_id: str) -> None:
        with pg_app.app_context():
            try:
                actor = db.session.get(User, owner_id)
                start.wait()
                questionnaire.save_section(
                    organisation_id,
                    section_id,
                    COMPLETE_INPUT[section_id],
                    actor,
                    context=TWELVE_EMPLOYEES,
                )
            except BaseException as failure:  # reported below, in the test's thread
                failures.append(failure)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=save, args=(s,)) for s in sections]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    db.session.expire_all()
    saved = questionnaire.answers_for(organisation_id).answers
    for section_id in [*sections, "equality"]:
        for question_id in COMPLETE_INPUT[section_id]:
            assert question_id in saved, (section_id, question_id)
