"""Realistic data for rendering the questionnaire's section page in the render-every-template
test (tests/unit/test_templates_render.py): the form built from the definition as the view
builds it, fresh, filled in from saved answers, and after a submission with errors."""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from dps.services import questionnaire
from dps.web.supplier.questionnaire_forms import formdata_from, params_for, section_form

TASK_LIST = "/supplier/applications/1"

# As a browser sends them after a bad submission: what was typed, some of it wrong.
TYPED: dict[str, dict[str, Any]] = {
    "bidding": {
        "bid_type": "consortium",
        "consortium_members-0-name": "Kirklees Community Works CIC",
        "consortium_members-0-registered_number": "",
        "consortium_members-0-role": "Workshops",
        "part_of_group": "yes",
    },
    "economic_standing": {
        "accounts_available": "yes",
        "annual_turnover": "about a million",
        "turnover_year_end": ["31", "13", "2025"],
    },
    "lot1_case_studies": {
        "lot1_case_studies-0-client": "Oldham Council",
        "lot1_case_studies-0-start_date": ["1", "9", "2023"],
        "lot1_case_studies-1-client": "",
        "lot1_case_studies-1-start_date": ["", "", ""],
    },
    # (Not data protection: its "None of these" would trip the test's search for a stray None.)
    "equality": {"eq_finding": "yes", "eq_finding_details": ""},
}


def section_page(scene: Any, section_id: str, errors: bool = False) -> dict[str, Any]:
    organisation_id = scene.users["supplier_owner"].membership.organisation_id
    version = questionnaire.current_version()
    sections = questionnaire.sections_for(version, [1, 2])
    section = next(s for s in sections if s.id == section_id)
    if errors:
        form = section_form(section, MultiDict(TYPED[section_id]))
        form.show_errors(
            questionnaire.save_section(
                organisation_id, section.id, form.raw_input(), None, context={"employees": 4}
            )
        )
    else:
        answer_set = questionnaire.answers_for(organisation_id)
        form = section_form(
            section, formdata_from(section, questionnaire.page_values(answer_set, section))
        )
    return {
        "form": form,
        "section": section,
        "number": sections.index(section) + 1,
        "count": len(sections),
        "application": None,
        "task_list": TASK_LIST,
        "params_for": params_for,
    }
