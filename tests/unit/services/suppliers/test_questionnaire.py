"""The selection questionnaire: its definition, which questions are asked, how answers are read,
checked and carried across versions, and each section's status."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from dps.extensions import db
from dps.models import AnswerSet, AuditEvent, QuestionnaireVersion
from dps.rules.enums import SectionStatus
from dps.rules.questionnaire.definition import (
    PACKAGED_DEFINITION,
    DefinitionInvalid,
)
from dps.services.suppliers import questionnaire
from tests.fixtures.questionnaire_world import (
    COMPLETE_INPUT,
    NO_EMPLOYEES,
    TWELVE_EMPLOYEES,
    World,
    answer_everything,
    make_world,
    words,
)

BOTH_LOTS = [1, 2]


@pytest.fixture
def world(app: Flask) -> World:
    return make_world()


def save(
    world: World, section_id: str, raw: dict[str, Any], context: Any = TWELVE_EMPLOYEES
) -> dict[str, str]:
    return questionnaire.save_section(
        world.supplier.id, section_id, raw, world.owner, context=context
    )


def answers(world: World) -> dict[str, Any]:
    return dict(questionnaire.answers_for(world.supplier.id).answers)


def question(question_id: str) -> Any:
    found = questionnaire.definition_of(questionnaire.current_version()).question(question_id)
    assert found is not None
    return found


# --- the definition ---------------------------------------------------------------------------


def _broken(tmp_path: Path, change: Any) -> Path:
    raw = json.loads(PACKAGED_DEFINITION.read_text())
    change(raw)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(raw))
    return path


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda raw: raw["sections"][0]["questions"][0].pop("label"), "'label' is a required"),
        (
            lambda raw: raw["sections"][-1]["questions"][0].pop("max_words"),
            "'max_words' is a required",
        ),
        (
            lambda raw: raw["sections"][1]["questions"].append(
                dict(raw["sections"][1]["questions"][0])
            ),
            "question id mx_criminal_organisation is used twice",
        ),
        (
            lambda raw: raw["sections"][0]["questions"][0].update(show_if={"annual_turnover": 1}),
            "not an earlier question",
        ),
        (
            lambda raw: raw["sections"][0]["questions"][-1].update(
                show_if={"part_of_group": "maybe"}
            ),
            "not a choice",
        ),
        (
            lambda raw: raw["sections"][0].update(part="part_9"),
            "which is not defined",
        ),
    ],
)
def test_a_broken_definition_is_refused_with_the_reason(
    app: Flask, tmp_path: Path, change: Any, problem: str
) -> None:
    with pytest.raises(DefinitionInvalid) as refused:
        questionnaire.publish(_broken(tmp_path, change))
    assert problem in str(refused.value)
    assert db.session.scalars(db.select(QuestionnaireVersion)).all() == []


# --- publishing and versions -------------------------------------------------------------------


def test_publishing_twice_is_idempotent(app: Flask) -> None:
    first = questionnaire.publish(PACKAGED_DEFINITION)
    db.session.commit()
    again = questionnaire.publish(PACKAGED_DEFINITION)
    assert again.id == first.id
    assert questionnaire.current_version().id == first.id
    assert db.session.scalar(db.select(db.func.count()).select_from(QuestionnaireVersion)) == 1
    assert first.version == "2026.1" and first.is_current
    assert len(first.checksum) == 64


def _new_version(tmp_path: Path, label: str | None) -> Path:
    """The packaged definition with one question dropped, one added and its label changed."""
    raw = json.loads(PACKAGED_DEFINITION.read_text())
    if label:
        raw["version"] = label
    bidding = raw["sections"][0]
    bidding["questions"] = [q for q in bidding["questions"] if q["id"] != "parent_number"]
    bidding["questions"].append(
        {"id": "website", "type": "url", "label": "Your website", "required": False}
    )
    path = tmp_path / "ccin-sq-next.json"
    path.write_text(json.dumps(raw, indent=2))
    return path


def test_a_changed_file_makes_a_new_version_and_the_old_one_stays_readable(
    app: Flask, tmp_path: Path
) -> None:
    first = questionnaire.current_version()
    second = questionnaire.publish(_new_version(tmp_path, label=None))
    db.session.commit()
    assert second.id != first.id
    assert second.version == "2026.1-r2"  # the same label, new content
    assert second.is_current and not first.is_current
    assert questionnaire.current_version().id == second.id
    assert questionnaire.definition_of(first).question("parent_number") is not None
    assert questionnaire.definition_of(second).question("parent_number") is None
    published = db.session.scalars(
        db.select(AuditEvent.after).where(AuditEvent.action == "questionnaire.published")
    ).all()
    assert [event["version"] for event in published] == ["2026.1", "2026.1-r2"]


def test_answering_under_a_new_version_carries_answers_across_by_id(
    world: World, tmp_path: Path
) -> None:
    first = questionnaire.current_version()
    save(
        world,
        "bidding",
        {
            "bid_type": "alone",
            "part_of_group": "yes",
            "parent_name": "Co-op Group",
            "parent_number": "IP00525R",
        },
    )
    save(world, "economic_standing", COMPLETE_INPUT["economic_standing"])
    assert questionnaire.answers_for(world.supplier.id).questionnaire_version_id == first.id

    second = questionnaire.publish(_new_version(tmp_path, label="2027.1"))
    db.session.commit()
    # Until the supplier answers again, its answers keep the version they were given under.
    assert questionnaire.answers_for(world.supplier.id).questionnaire_version_id == first.id

    save(world, "equality", COMPLETE_INPUT["equality"])

    answer_set = questionnaire.answers_for(world.supplier.id)
    assert answer_set.questionnaire_version_id == second.id
    assert answer_set.answers["bid_type"] == "alone"
    assert answer_set.answers["parent_name"] == "Co-op Group"
    assert answer_set.answers["annual_turnover"] == 125_000_000
    assert "parent_number" not in answer_set.answers  # no longer asked
    assert answer_set.answers["eq_policy"] == "yes"
    event = db.session.scalars(
        db.select(AuditEvent)
        .where(AuditEvent.action == "questionnaire.section_saved")
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None and event.after["carried_across_from"] == "2026.1"


def test_answers_for_an_organisation_without_any_is_an_empty_set_not_saved(world: World) -> None:
    answer_set = questionnaire.answers_for(world.supplier.id)
    assert answer_set.answers == {}
    assert answer_set.questionnaire_version.is_current
    assert db.session.scalars(db.select(AnswerSet)).all() == []


# --- conditions: questions that do not apply are not asked ------------------------------------


def test_consortium_members_are_asked_only_of_a_consortium_bid(world: World) -> None:
    member = {
        "name": "Kirklees Community Works CIC",
        "registered_number": "11223344",
        "role": "Workshops",
    }
    # Sent without JavaScript, the hidden members' boxes arrive too: they do not apply.
    errors = save(
        world,
        "bidding",
        {"bid_type": "alone", "consortium_members": [member], "part_of_group": "no"},
    )
    assert errors == {}
    assert "consortium_members" not in answers(world)

    errors = save(world, "bidding", {"bid_type": "consortium", "part_of_group": "no"})
    assert errors == {"consortium_members": "Add at least one consortium member"}

    errors = save(
        world,
        "bidding",
        {"bid_type": "consortium", "consortium_members": [member], "part_of_group": "no"},
    )
    assert errors == {}
    assert answers(world)["consortium_members"] == [member]

    # Changing the answer drops the members: they are not kept for a question no longer asked.
    save(
        world,
        "bidding",
        {"bid_type": "subcontractors", "consortium_members": [member], "part_of_group": "no"},
    )
    assert "consortium_members" not in answers(world)


def test_employers_liability_is_not_asked_without_employees(world: World) -> None:
    without = {
        k: v for k, v in COMPLETE_INPUT["insurance"].items() if not k.startswith("employers")
    }
    assert save(world, "insurance", without, context=NO_EMPLOYEES) == {}
    version = questionnaire.current_version()
    assert (
        questionnaire.section_status(version, answers(world), "insurance", [1], NO_EMPLOYEES)
        == SectionStatus.COMPLETED
    )
    rows = questionnaire.readable_answers(version, answers(world), [1], NO_EMPLOYEES)
    insurance = next(s for s in rows if s.section_id == "insurance")
    assert not any("Employer" in row.label for row in insurance.rows)

    # With employees, the same answers leave employer's liability missing.
    errors = save(world, "insurance", without, context=TWELVE_EMPLOYEES)
    assert set(errors) == {"employers_liability_cover", "employers_liability_expiry"}
    assert (
        errors["employers_liability_cover"]
        == "Enter the amount of your employer’s liability insurance cover"
    )


def test_an_unknown_number_of_employees_does_not_ask_for_employers_liability(world: World) -> None:
    without = {
        k: v for k, v in COMPLETE_INPUT["insurance"].items() if not k.startswith("employers")
    }
    assert save(world, "insurance", without, context={"employees": None}) == {}


def test_an_exclusion_ground_asks_for_details_only_when_the_answer_is_yes(world: World) -> None:
    raw = dict(COMPLETE_INPUT["mandatory_exclusions"], mx_fraud_details="Not relevant")
    assert save(world, "mandatory_exclusions", raw) == {}
    assert "mx_fraud_details" not in answers(world)

    errors = save(world, "mandatory_exclusions", dict(raw, mx_fraud="yes", mx_fraud_details=""))
    assert errors == {"mx_fraud_details": "Enter the details"}  # self-cleaning is optional

    raw = dict(
        raw,
        mx_fraud="yes",
        mx_fraud_details="A former director, convicted in 2022.",
        mx_fraud_self_cleaning="New controls.",
    )
    assert save(world, "mandatory_exclusions", raw) == {}
    assert answers(world)["mx_fraud_self_cleaning"] == "New controls."


def test_the_modern_slavery_statement_is_asked_at_a_turnover_of_36_million(world: World) -> None:
    version = questionnaire.current_version()
    ms = {
        "ms_steps": "Supplier audits.",
        "ms_s54_compliant": "yes",
        "ms_statement_url": "www.example.org/msa",
    }

    save(
        world,
        "economic_standing",
        dict(COMPLETE_INPUT["economic_standing"], annual_turnover="35999999.99"),
    )
    assert save(world, "modern_slavery", ms) == {}
    assert "ms_statement_url" not in answers(world)

    save(
        world,
        "economic_standing",
        dict(COMPLETE_INPUT["economic_standing"], annual_turnover="36000000"),
    )
    assert (
        questionnaire.section_status(
            version, answers(world), "modern_slavery", [1], TWELVE_EMPLOYEES
        )
        == SectionStatus.IN_PROGRESS
    )
    assert save(world, "modern_slavery", ms) == {}
    assert answers(world)["ms_statement_url"] == "https://www.example.org/msa"

    # A turnover lowered later leaves the statement out of what an application keeps.
    save(
        world,
        "economic_standing",
        dict(COMPLETE_INPUT["economic_standing"], annual_turnover="100000"),
    )
    kept = questionnaire.applicable_answers(version, answers(world), [1], TWELVE_EMPLOYEES)
    assert "ms_statement_url" not in kept and kept["ms_steps"] == "Supplier audits."


def test_an_organisation_too_new_for_accounts_gives_other_evidence(world: World) -> None:
    errors = save(
        world, "economic_standing", {"accounts_available": "too_new", "annual_turnover": "5000"}
    )
    assert errors == {
        "trading_months": "Enter how many months you have been trading",
        "alternative_evidence": "Enter the evidence you can give",
    }
    assert "annual_turnover" not in answers(world)
    assert (
        save(
            world,
            "economic_standing",
            {
                "accounts_available": "too_new",
                "trading_months": "7",
                "alternative_evidence": "Management accounts.",
            },
        )
        == {}
    )
    assert answers(world)["trading_months"] == 7


def test_lot_specific_sections_are_only_for_the_lots_chosen(world: World) -> None:
    version = questionnaire.current_version()
    lot_one = [s.id for s in questionnaire.sections_for(version, [1])]
    assert "lot1_case_studies" in lot_one and "lot1_questions" in lot_one
    assert "lot2_case_studies" not in lot_one and "lot2_questions" not in lot_one
    both = [s.id for s in questionnaire.sections_for(version, BOTH_LOTS)]
    assert {"lot1_case_studies", "lot2_case_studies", "lot1_questions", "lot2_questions"} <= set(
        both
    )
    assert questionnaire.section_for(version, "lot2_questions", [1]) is None

    answer_everything(world.supplier)
    assert questionnaire.gaps(version, answers(world), [1], TWELVE_EMPLOYEES) == []
    kept = questionnaire.applicable_answers(version, answers(world), [1], TWELVE_EMPLOYEES)
    assert (
        "lot1_case_studies" in kept
        and "lot2_case_studies" not in kept
        and "lot2_legacy" not in kept
    )


# --- reading answers ---------------------------------------------------------------------------


def test_a_case_study_cannot_end_before_it_started(world: World) -> None:
    study = dict(
        COMPLETE_INPUT["lot1_case_studies"]["lot1_case_studies"][0], end_date=["1", "1", "2020"]
    )
    errors = save(world, "lot1_case_studies", {"lot1_case_studies": [study]})
    assert errors == {
        "lot1_case_studies-0-end_date": "The end date must be the same as or after the start date"
    }


def test_word_limits(world: World) -> None:
    assert (
        save(
            world,
            "lot1_questions",
            {"lot1_policy_experience": words(500), "lot1_service_redesign": "Yes."},
        )
        == {}
    )
    errors = save(
        world,
        "lot1_questions",
        {"lot1_policy_experience": words(501), "lot1_service_redesign": "Yes."},
    )
    assert errors == {
        "lot1_policy_experience": "Your experience of developing and testing co-operative "
        "policy must be 500 words or fewer"
    }


def test_an_email_address_must_look_like_one(world: World) -> None:
    study = dict(
        COMPLETE_INPUT["lot1_case_studies"]["lot1_case_studies"][0], contact_email="sam at oldham"
    )
    errors = save(world, "lot1_case_studies", {"lot1_case_studies": [study]})
    assert errors == {
        "lot1_case_studies-0-contact_email": "Enter the client contact’s email address in the "
        "correct format, like name@example.com"
    }


def test_none_of_these_cannot_be_ticked_with_another_answer(world: World) -> None:
    errors = save(
        world, "data_protection", {"dp_compliant": "yes", "dp_measures": ["policy", "none"]}
    )
    assert errors == {"dp_measures": "Select ‘None of these’ on its own, or untick it"}
    assert save(world, "data_protection", {"dp_compliant": "yes", "dp_measures": ["none"]}) == {}


def test_what_was_typed_but_is_not_valid_is_kept_and_the_answer_is_not(world: World) -> None:
    save(world, "economic_standing", COMPLETE_INPUT["economic_standing"])
    errors = save(
        world,
        "economic_standing",
        {
            "accounts_available": "yes",
            "annual_turnover": "about a million",
            "turnover_year_end": ["31", "13", "2025"],
        },
    )
    assert set(errors) == {"annual_turnover", "turnover_year_end"}
    answer_set = questionnaire.answers_for(world.supplier.id)
    assert "annual_turnover" not in answer_set.answers  # the old figure is not kept as if current
    assert answer_set.pending_input == {
        "annual_turnover": "about a million",
        "turnover_year_end": ["31", "13", "2025"],
    }
    section = questionnaire.definition_of(answer_set.questionnaire_version).section(
        "economic_standing"
    )
    assert section is not None
    shown = questionnaire.page_values(answer_set, section)
    assert shown["annual_turnover"] == "about a million"
    assert shown["turnover_year_end"] == ["31", "13", "2025"]


def test_saving_records_who_changed_which_answers(world: World) -> None:
    save(world, "equality", COMPLETE_INPUT["equality"])
    save(world, "equality", COMPLETE_INPUT["equality"])  # nothing changed: nothing to record
    events = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "questionnaire.section_saved")
    ).all()
    assert len(events) == 1
    assert events[0].actor_user_id == world.owner.id
    assert events[0].after["section"] == "equality"
    assert events[0].after["answers"] == {"eq_finding": "no", "eq_policy": "yes"}
    assert events[0].before == {"answers": {"eq_finding": None, "eq_policy": None}}


# --- statuses, gaps and the readable list ------------------------------------------------------


def test_a_section_is_not_started_then_in_progress_then_completed(world: World) -> None:
    version = questionnaire.current_version()

    def status() -> SectionStatus:
        answer_set = questionnaire.answers_for(world.supplier.id)
        return questionnaire.section_status(
            version,
            answer_set.answers,
            "equality",
            [1],
            TWELVE_EMPLOYEES,
            pending=answer_set.pending_input,
        )

    assert status() == SectionStatus.NOT_STARTED
    save(world, "equality", {"eq_policy": "yes"})
    assert status() == SectionStatus.IN_PROGRESS
    save(world, "equality", {"eq_policy": "yes", "eq_finding": "yes"})
    assert status() == SectionStatus.IN_PROGRESS  # the details are missing
    save(
        world, "equality", {"eq_policy": "yes", "eq_finding": "yes", "eq_finding_details": "x" * 3}
    )
    assert status() == SectionStatus.COMPLETED
    assert SectionStatus.COMPLETED.label == "Completed"


def test_something_typed_but_not_valid_keeps_a_section_in_progress(world: World) -> None:
    version = questionnaire.current_version()
    save(
        world,
        "data_protection",
        {"dp_compliant": "yes", "dp_measures": ["none"], "dp_ico_number": "Z" * 21},
    )
    answer_set = questionnaire.answers_for(world.supplier.id)
    assert (
        questionnaire.section_status(version, answer_set.answers, "data_protection", [1], {})
        == SectionStatus.COMPLETED
    )
    assert (
        questionnaire.section_status(
            version,
            answer_set.answers,
            "data_protection",
            [1],
            {},
            pending=answer_set.pending_input,
        )
        == SectionStatus.IN_PROGRESS
    )


def test_an_insurance_that_has_since_expired_is_a_gap(world: World) -> None:
    answer_everything(world.supplier)
    version = questionnaire.current_version()
    later = date.today() + timedelta(days=400)
    found = questionnaire.gaps(version, answers(world), [1], TWELVE_EMPLOYEES, today=later)
    assert {gap.question_id for gap in found} == {
        "employers_liability_expiry",
        "public_liability_expiry",
        "professional_indemnity_expiry",
    }
    assert (
        questionnaire.section_status(
            version, answers(world), "insurance", [1], TWELVE_EMPLOYEES, today=later
        )
        == SectionStatus.IN_PROGRESS
    )


def test_gaps_name_the_section_the_question_and_the_box(world: World) -> None:
    version = questionnaire.current_version()
    member = {
        "name": "Kirklees Community Works CIC",
        "registered_number": "11223344",
        "role": "Workshops",
    }
    save(
        world,
        "bidding",
        {
            "bid_type": "consortium",
            "consortium_members": [member, {"name": "Second member"}],
            "part_of_group": "no",
        },
    )
    save(world, "economic_standing", {"accounts_available": "yes", "annual_turnover": "100000"})
    found = questionnaire.gaps(version, answers(world), [1], TWELVE_EMPLOYEES)

    bidding = [g for g in found if g.section_id == "bidding"]
    assert [(g.question_id, g.message, g.field_id) for g in bidding] == [
        (
            "consortium_members",
            "Consortium member 2: Enter the member’s registered number",
            "consortium_members-1-registered_number",
        ),
        (
            "consortium_members",
            "Consortium member 2: Enter the member’s role",
            "consortium_members-1-role",
        ),
    ]
    year_end = next(g for g in found if g.question_id == "turnover_year_end")
    assert year_end.message == "Enter the date the financial year ended"
    assert year_end.field_id == "turnover_year_end-day"
    assert year_end.section_title == "Economic and financial standing"
    assert {g.section_id for g in found} == {s.id for s in questionnaire.sections_for(version, [1])}


def test_a_complete_questionnaire_has_no_gaps_and_every_section_completed(world: World) -> None:
    answer_everything(world.supplier, world.owner)
    version = questionnaire.current_version()
    assert questionnaire.gaps(version, answers(world), BOTH_LOTS, TWELVE_EMPLOYEES) == []
    for section in questionnaire.sections_for(version, BOTH_LOTS):
        status = questionnaire.section_status(
            version, answers(world), section.id, BOTH_LOTS, TWELVE_EMPLOYEES
        )
        assert status == SectionStatus.COMPLETED, section.id


def test_the_readable_list_shows_pounds_london_dates_and_labels(world: World) -> None:
    answer_everything(world.supplier)
    version = questionnaire.current_version()
    readable = {
        s.section_id: s
        for s in questionnaire.readable_answers(version, answers(world), [1], TWELVE_EMPLOYEES)
    }
    assert "lot2_case_studies" not in readable
    standing = {row.label: row.value for row in readable["economic_standing"].rows}
    assert standing == {
        "Do you have accounts for at least one full financial year?": "Yes",
        "Your latest annual turnover": "£1,250,000",
        "The date that financial year ended": "31 March 2026",
    }
    bidding = {row.label: row.value for row in readable["bidding"].rows}
    assert bidding["How are you bidding?"] == "As the lead of a consortium"
    assert bidding["Consortium member 1"] == (
        "Member’s name: Kirklees Community Works CIC\n"
        "Registered number: 11223344\n"
        "Its role in the consortium: Runs the community workshops"
    )
    study = next(row.value for row in readable["lot1_case_studies"].rows)
    assert "Start date: 1 September 2023" in study and "Contract value: £48,500" in study
    protection = {row.label: row.value for row in readable["data_protection"].rows}
    assert (
        protection["Which of these do you have?"]
        == "A data protection policy\nData protection training for staff"
    )
    assert (
        protection["Your Information Commissioner’s Office (ICO) registration number (optional)"]
        == "Not answered"
    )


# --- the demo data and the command line --------------------------------------------------------


def test_the_demo_suppliers_have_a_partly_and_a_fully_answered_questionnaire(app: Flask) -> None:
    from dps.demo import load_demo_data
    from dps.demo.answers import FULLY_ANSWERED, PARTLY_ANSWERED
    from dps.models import Organisation

    load_demo_data()
    version = questionnaire.current_version()
    assert version.version == "2026.1"

    def statuses(name: str) -> dict[str, SectionStatus]:
        organisation = db.session.scalars(
            db.select(Organisation).where(Organisation.name == name)
        ).one()
        answer_set = questionnaire.answers_for(organisation.id)
        context = questionnaire.context_for(organisation.id)
        return {
            s.id: questionnaire.section_status(
                version, answer_set.answers, s.id, BOTH_LOTS, context
            )
            for s in questionnaire.sections_for(version, BOTH_LOTS)
        }

    assert set(statuses(FULLY_ANSWERED).values()) == {SectionStatus.COMPLETED}
    partly = statuses(PARTLY_ANSWERED)
    assert partly["bidding"] == SectionStatus.COMPLETED
    assert partly["insurance"] == SectionStatus.IN_PROGRESS
    assert partly["ccin_principles"] == SectionStatus.IN_PROGRESS
    assert partly["lot2_questions"] == SectionStatus.NOT_STARTED

    saved = db.session.scalar(db.select(db.func.count()).select_from(AuditEvent))
    load_demo_data()  # again: nothing changes
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)) == saved
    assert db.session.scalar(db.select(db.func.count()).select_from(QuestionnaireVersion)) == 1


def test_the_publish_command(app: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["questionnaire", "publish"])
    assert result.exit_code == 0, result.output
    assert "version 2026.1: the current version" in result.output
    assert runner.invoke(args=["questionnaire", "publish"]).exit_code == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(QuestionnaireVersion)) == 1

    broken = _broken(tmp_path, lambda raw: raw["sections"][0]["questions"][0].pop("label"))
    result = runner.invoke(args=["questionnaire", "publish", str(broken)])
    assert result.exit_code != 0
    assert (
        "The definition was refused" in result.output and "'label' is a required" in result.output
    )
