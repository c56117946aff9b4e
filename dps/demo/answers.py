"""Demonstration questionnaire answers for the two demo suppliers (called by dps.demo).

Co-operative Futures Ltd has answered part of the questionnaire, so its task list shows sections
not started, in progress and completed; Capacity Works CIC has answered all of it, for both
lots. Answers are saved through the same service the section pages use, and only for a supplier
that has none yet, so loading twice changes nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from dps.demo.data import ADMITTED_SUPPLIERS
from dps.extensions import db
from dps.models.organisations import Organisation
from dps.models.questionnaire import AnswerSet
from dps.services.suppliers import questionnaire

PARTLY_ANSWERED = "Co-operative Futures Ltd"
FULLY_ANSWERED = "Capacity Works CIC"
# The facts the answers were written for; with fewer employees fewer questions apply, and an
# answer to a question that does not apply is simply left out.
DEMO_CONTEXT = {"employees": 14, "legal_form": "community_interest_company"}

NO_TO_ALL_MANDATORY = dict.fromkeys(
    (
        "mx_criminal_organisation",
        "mx_corruption",
        "mx_bribery",
        "mx_fraud",
        "mx_terrorism",
        "mx_money_laundering",
        "mx_modern_slavery",
        "mx_tax",
    ),
    "no",
)
NO_TO_ALL_DISCRETIONARY = dict.fromkeys(
    (
        "dx_environmental_social_labour",
        "dx_insolvency",
        "dx_professional_misconduct",
        "dx_distorting_competition",
        "dx_conflict_of_interest",
        "dx_prior_involvement",
        "dx_prior_contract_deficiencies",
        "dx_misrepresentation",
        "dx_undue_influence",
        "dx_tax_other",
    ),
    "no",
)
PRINCIPLES = {
    "principle_social_partnership": (
        "Our board includes a staff member and a representative of the trade union we "
        "recognise, and we agree every council project plan with frontline staff."
    ),
    "principle_democratic_engagement": (
        "We run citizens’ panels and open assemblies so residents shape the questions, not "
        "only answer them."
    ),
    "principle_co_production": (
        "Every project has a design group of people who use the service, paid for their time."
    ),
    "principle_enterprise_social_economy": (
        "We help community groups become co-operatives and community benefit societies, and buy "
        "from social enterprises first."
    ),
    "principle_social_value": (
        "We pay the real Living Wage, recruit apprentices locally and report our social value "
        "against the national themes, outcomes and measures."
    ),
    "principle_community_leadership": (
        "We train councillors to convene their wards and hand community budgets to local people."
    ),
    "principle_priority_needs": (
        "We co-design new models such as community-owned care and energy co-operatives with "
        "the people who need them."
    ),
    "principle_innovation": (
        "We test ideas in small pilots for twelve weeks before scaling what works."
    ),
    "principle_learning": (
        "We publish our evaluations openly and run learning sessions for the network."
    ),
    "principle_walking_the_talk": (
        "We are owned by our staff and the communities we work with, one member one vote."
    ),
}


def _parts(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def _last_year_end(today: date) -> date:
    """The last 31 March before today: the end of the latest financial year."""
    year = today.year if today > date(today.year, 3, 31) else today.year - 1
    return date(year, 3, 31)


def partly_answered(today: date) -> dict[str, dict[str, Any]]:
    return {
        "bidding": {
            "bid_type": "consortium",
            "consortium_members": [
                {
                    "name": "Kirklees Community Works CIC",
                    "registered_number": "11223344",
                    "role": "Runs the community workshops and recruits residents to design groups.",
                },
                {
                    "name": "Pennine Evaluation Co-operative Ltd",
                    "registered_number": "RS007712",
                    "role": "Evaluates the pilots independently.",
                },
            ],
            "part_of_group": "no",
        },
        "mandatory_exclusions": NO_TO_ALL_MANDATORY,
        "economic_standing": {
            "accounts_available": "yes",
            "annual_turnover": "1240000",
            "turnover_year_end": _parts(_last_year_end(today)),
        },
        # Started, not finished: only the public liability cover so far.
        "insurance": {
            "public_liability_cover": "5000000",
            "public_liability_expiry": _parts(today + timedelta(days=200)),
        },
        "ccin_principles": {
            key: PRINCIPLES[key]
            for key in (
                "principle_social_partnership",
                "principle_democratic_engagement",
                "principle_co_production",
                "principle_walking_the_talk",
            )
        },
    }


def fully_answered(today: date) -> dict[str, dict[str, Any]]:
    renewal = _parts(today + timedelta(days=300))
    return {
        "bidding": {
            "bid_type": "subcontractors",
            "subcontractors": [
                {
                    "name": "Northern Facilitation Partners LLP",
                    "registered_number": "OC412345",
                    "work": "Facilitates the councillor leadership programme in Lot 2.",
                }
            ],
            "part_of_group": "no",
        },
        "mandatory_exclusions": NO_TO_ALL_MANDATORY,
        "discretionary_exclusions": NO_TO_ALL_DISCRETIONARY,
        "economic_standing": {
            "accounts_available": "yes",
            "annual_turnover": "640000",
            "turnover_year_end": _parts(_last_year_end(today)),
        },
        "insurance": {
            "employers_liability_cover": "10000000",
            "employers_liability_expiry": renewal,
            "public_liability_cover": "5000000",
            "public_liability_expiry": renewal,
            "professional_indemnity_cover": "1000000",
            "professional_indemnity_expiry": renewal,
        },
        "lot1_case_studies": {
            "lot1_case_studies": [
                {
                    "client": "Plymouth City Council",
                    "start_date": ["6", "9", "2022"],
                    "end_date": ["31", "7", "2023"],
                    "value": "42000",
                    "delivered": (
                        "A co-produced review of neighbourhood services. A design group of "
                        "twelve residents tested three new models; the council adopted two."
                    ),
                    "contact_name": "Amira Khan",
                    "contact_email": "amira.khan@plymouth.example.org",
                }
            ]
        },
        "lot2_case_studies": {
            "lot2_case_studies": [
                {
                    "client": "Tameside Metropolitan Borough Council",
                    "start_date": ["1", "4", "2023"],
                    "end_date": ["31", "3", "2025"],
                    "value": "96500",
                    "delivered": (
                        "Trained 140 community organisers and set up four community benefit "
                        "societies that still run without council funding."
                    ),
                    "contact_name": "Gareth Lewis",
                    "contact_email": "gareth.lewis@tameside.example.org",
                }
            ]
        },
        "modern_slavery": {
            "ms_steps": (
                "We check every subcontractor against our supplier code, train staff to spot "
                "the signs of exploitation, and publish a voluntary statement each year."
            )
        },
        "data_protection": {
            "dp_compliant": "yes",
            "dp_ico_number": "ZB123456",
            "dp_measures": ["policy", "records", "training", "breach_procedure"],
        },
        "health_and_safety": {"hs_policy": "yes", "hs_enforcement": "no"},
        "equality": {"eq_policy": "yes", "eq_finding": "no"},
        "ccin_principles": PRINCIPLES,
        "lot1_questions": {
            "lot1_policy_experience": (
                "Since 2016 we have run policy labs with six councils, testing ideas such as "
                "community wealth building charters with residents before they went to cabinet."
            ),
            "lot1_service_redesign": (
                "We redesigned early help services with families in two boroughs, moving "
                "budgets to neighbourhood teams that the families helped to appoint."
            ),
        },
        "lot2_questions": {
            "lot2_capacity_building": (
                "Our organiser programme trains residents, officers and councillors together, "
                "with mentoring for a year afterwards."
            ),
            "lot2_legacy": (
                "Every programme ends with a local organisation owning the work, a trained "
                "team, and a plan for funding it that does not depend on the council."
            ),
        },
    }


def load_demo_answers(organisations: dict[str, Organisation], today: date) -> list[str]:
    """Give each demo supplier without answers its answer set; the names of those given one."""
    answered = []
    answering = [(PARTLY_ANSWERED, partly_answered(today))]
    answering += [(name, fully_answered(today)) for name in (FULLY_ANSWERED, *ADMITTED_SUPPLIERS)]
    for name, answers in answering:
        organisation = organisations[name]
        has_answers = db.session.scalar(
            db.select(AnswerSet.id).where(AnswerSet.organisation_id == organisation.id)
        )
        if has_answers:
            continue
        for section_id, raw in answers.items():
            questionnaire.save_section(
                organisation.id, section_id, raw, actor=None, context=DEMO_CONTEXT, today=today
            )
        answered.append(f"questionnaire answers of {name}")
    db.session.commit()
    return answered
