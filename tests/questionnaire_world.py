"""A small world for the questionnaire tests: the DPS and its two lots, suppliers, drafts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from dps.demo_answers import NO_TO_ALL_DISCRETIONARY, NO_TO_ALL_MANDATORY
from dps.extensions import db
from dps.models import DPS, Application, ApplicationLot, Lot, Organisation, User
from dps.models.enums import MembershipType, OrganisationKind, Role
from dps.services import questionnaire
from tests.helpers import add_person, make_supplier

NO_EMPLOYEES = {"employees": 0, "legal_form": "company"}
TWELVE_EMPLOYEES = {"employees": 12, "legal_form": "company"}
# Insurance must not have expired: a date well ahead of whenever the tests run.
RENEWAL = date.today() + timedelta(days=300)
RENEWAL_PARTS = [str(RENEWAL.day), str(RENEWAL.month), str(RENEWAL.year)]


@dataclass
class World:
    dps: DPS
    lots: dict[int, Lot]
    supplier: Organisation
    owner: User
    rival: Organisation
    rival_owner: User


def make_world() -> World:
    oldham = Organisation(
        name="Oldham Council", kind=OrganisationKind.MEMBER, membership_type=MembershipType.FULL
    )
    dps = DPS(
        reference="CCIN-DPS-TEST",
        title="CCIN Dynamic Purchasing System",
        description="Test DPS",
        owner=oldham,
        period_start=date(2020, 4, 1),
        period_end=date(2029, 2, 23),
    )
    lots = {
        1: Lot(dps=dps, number=1, title="Policy Development & Testing", description="Lot 1"),
        2: Lot(dps=dps, number=2, title="Capacity Building", description="Lot 2"),
    }
    db.session.add_all([oldham, dps, *lots.values()])
    supplier = make_supplier("Co-operative Futures Ltd", "09345678")
    rival = make_supplier("Rival Consulting Ltd", "07654321")
    owner = add_person(supplier, "owner@coop-futures.example.org", Role.SUPPLIER_OWNER)
    rival_owner = add_person(rival, "owner@rival.example.org", Role.SUPPLIER_OWNER)
    return World(dps, lots, supplier, owner, rival, rival_owner)


def draft_application(
    world: World, organisation: Organisation, lot_numbers: list[int]
) -> Application:
    application = Application(
        organisation_id=organisation.id,
        dps=world.dps,
        questionnaire_version=questionnaire.current_version(),
        lots=[ApplicationLot(lot=world.lots[number]) for number in lot_numbers],
    )
    db.session.add(application)
    db.session.commit()
    return application


def words(count: int) -> str:
    return " ".join(["co-operative"] * count)


# Every section filled in, as a page would send it (raw input), for a consortium lead with
# employees, a turnover under £36m, applying to both lots.
COMPLETE_INPUT: dict[str, dict[str, Any]] = {
    "bidding": {
        "bid_type": "consortium",
        "consortium_members": [
            {
                "name": "Kirklees Community Works CIC",
                "registered_number": "11223344",
                "role": "Runs the community workshops",
            }
        ],
        "part_of_group": "no",
    },
    "mandatory_exclusions": NO_TO_ALL_MANDATORY,
    "discretionary_exclusions": NO_TO_ALL_DISCRETIONARY,
    "economic_standing": {
        "accounts_available": "yes",
        "annual_turnover": "1,250,000",
        "turnover_year_end": ["31", "3", "2026"],
    },
    "insurance": {
        "employers_liability_cover": "5000000",
        "employers_liability_expiry": RENEWAL_PARTS,
        "public_liability_cover": "5000000",
        "public_liability_expiry": RENEWAL_PARTS,
        "professional_indemnity_cover": "1000000",
        "professional_indemnity_expiry": RENEWAL_PARTS,
    },
    "lot1_case_studies": {
        "lot1_case_studies": [
            {
                "client": "Oldham Council",
                "start_date": ["1", "9", "2023"],
                "end_date": ["31", "3", "2024"],
                "value": "48500",
                "delivered": "A co-produced review of neighbourhood services with residents.",
                "contact_name": "Sam Patel",
                "contact_email": "sam.patel@oldham.example.org",
            }
        ]
    },
    "lot2_case_studies": {
        "lot2_case_studies": [
            {
                "client": "Rochdale Borough Council",
                "start_date": ["1", "4", "2022"],
                "end_date": ["", "", ""],
                "value": "30000",
                "delivered": "Training for community organisers that carried on after funding.",
                "contact_name": "Jo Hughes",
                "contact_email": "jo.hughes@rochdale.example.org",
            }
        ]
    },
    "modern_slavery": {"ms_steps": "We check our supply chain every year."},
    "data_protection": {"dp_compliant": "yes", "dp_measures": ["policy", "training"]},
    "health_and_safety": {"hs_policy": "yes", "hs_enforcement": "no"},
    "equality": {"eq_policy": "yes", "eq_finding": "no"},
    "ccin_principles": {
        f"principle_{key}": f"How we practise {key.replace('_', ' ')}."
        for key in (
            "social_partnership",
            "democratic_engagement",
            "co_production",
            "enterprise_social_economy",
            "social_value",
            "community_leadership",
            "priority_needs",
            "innovation",
            "learning",
            "walking_the_talk",
        )
    },
    "lot1_questions": {
        "lot1_policy_experience": "Ten years of policy labs with councils.",
        "lot1_service_redesign": "Redesigned youth services with young people.",
    },
    "lot2_questions": {
        "lot2_capacity_building": "Mentoring for community groups.",
        "lot2_legacy": "We train local people to carry the work on.",
    },
}


def answer_everything(organisation: Organisation, actor: User | None = None) -> None:
    for section_id, raw in COMPLETE_INPUT.items():
        errors = questionnaire.save_section(
            organisation.id, section_id, raw, actor, context=TWELVE_EMPLOYEES
        )
        assert errors == {}, (section_id, errors)
