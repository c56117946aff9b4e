"""How far a questionnaire is answered: each section's status, and the gaps still to fill.

Drawn from the answers that apply (``dps.rules.questionnaire.applies``), read again as if typed,
so an answer that has since stopped being valid (a date now in the past) counts as a gap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from dps.rules.enums import SectionStatus
from dps.rules.questionnaire.answers import capitalised, raw_for_section, read_section
from dps.rules.questionnaire.applies import applicable_answers, section_for, sections_for
from dps.rules.questionnaire.definition import Definition, QuestionType, Section


@dataclass(frozen=True)
class Gap:
    """Something missing or not valid, for the check-your-answers page."""

    section_id: str
    question_id: str
    message: str
    section_title: str = ""
    # The id of the box to link to on the section's page.
    field_id: str = ""


def stored_errors(
    section: Section, answers: Mapping[str, Any], context: Mapping[str, Any], today: date
) -> dict[str, str]:
    """The section's answers read again as if typed: what is missing or no longer valid."""
    raw = raw_for_section(section, answers, {})
    return read_section(section, raw, answers, {}, context, today).errors


def section_status(
    definition: Definition,
    answers: Mapping[str, Any],
    section_id: str,
    lot_numbers: Iterable[int],
    context: Mapping[str, Any],
    pending: Mapping[str, Any] | None,
    today: date,
) -> SectionStatus:
    """Not started (nothing answered), Completed (nothing missing or wrong), else In progress.

    ``pending`` (what was typed but is not valid yet) keeps a section with something in it In
    progress. LookupError for a section not asked for these lots.
    """
    lot_numbers = list(lot_numbers)
    section = section_for(definition, section_id, lot_numbers)
    if section is None:
        raise LookupError(f"Section {section_id} is not asked for lots {lot_numbers}")
    kept = applicable_answers(definition, answers, lot_numbers, context)
    typed = [q.id for q in section.questions if q.id in (pending or {})]
    if not typed and not any(q.id in kept for q in section.questions):
        return SectionStatus.NOT_STARTED
    if typed or stored_errors(section, kept, context, today):
        return SectionStatus.IN_PROGRESS
    return SectionStatus.COMPLETED


def gaps(
    definition: Definition,
    answers: Mapping[str, Any],
    lot_numbers: Iterable[int],
    context: Mapping[str, Any],
    today: date,
) -> list[Gap]:
    """Everything missing or not valid in the questionnaire for these lots, section by section."""
    lot_numbers = list(lot_numbers)
    kept = applicable_answers(definition, answers, lot_numbers, context)
    found: list[Gap] = []
    for section in sections_for(definition, lot_numbers):
        for key, message in stored_errors(section, kept, context, today).items():
            question_id, _, rest = key.partition("-")
            question = section.question(question_id)
            if question is not None and rest:
                index, _, sub_id = rest.partition("-")
                message = f"{capitalised(question.item_label)} {int(index) + 1}: {message}"
                sub = next((q for q in question.questions if q.id == sub_id), None)
                field_id = f"{key}-day" if sub and sub.type == QuestionType.DATE else key
            else:
                is_date = question is not None and question.type == QuestionType.DATE
                field_id = f"{key}-day" if is_date else key
            found.append(Gap(section.id, question_id, message, section.title, field_id))
    return found
