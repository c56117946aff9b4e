"""What applies: the sections and questions asked for given lots and facts, and the answers kept.

Questions that do not apply (to the lots chosen, to the facts about the organisation such as
having no employees, or to the answers before them) are not asked, not required and not kept.
``applicable_answers`` is the one reading of "the answers that count" that statuses, gaps, the
readable list and a submitted application's snapshot are all drawn from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from dps.rules.questionnaire.definition import Definition, Question, QuestionType, Section, applies


def sections_for(definition: Definition, lot_numbers: Iterable[int]) -> list[Section]:
    """The sections asked of an application for these lots, in order."""
    lots = set(lot_numbers)
    return [s for s in definition.sections if s.lot is None or s.lot in lots]


def section_for(
    definition: Definition, section_id: str, lot_numbers: Iterable[int]
) -> Section | None:
    """The section, if it is asked of an application for these lots."""
    return next((s for s in sections_for(definition, lot_numbers) if s.id == section_id), None)


def fits(question: Question, value: Any) -> bool:
    """Whether a stored ``value`` is of the kind ``question`` keeps (money a whole number...)."""
    match question.type:
        case QuestionType.MONEY | QuestionType.NUMBER:
            return isinstance(value, int) and not isinstance(value, bool)
        case QuestionType.CHECKBOXES:
            return isinstance(value, list) and all(isinstance(v, str) for v in value)
        case QuestionType.GROUP:
            return isinstance(value, list) and all(isinstance(item, dict) for item in value)
        case QuestionType.DATE:
            try:
                date.fromisoformat(value)
            except (TypeError, ValueError):
                return False
            return True
        case _:
            return isinstance(value, str)


def carried_across(
    definition: Definition, answers: Mapping[str, Any], pending: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The answers kept under a new version: those whose question it still asks, same kind."""
    kept = {
        key: value
        for key, value in answers.items()
        if (question := definition.question(key)) is not None and fits(question, value)
    }
    return kept, {key: value for key, value in pending.items() if definition.question(key)}


def applicable_answers(
    definition: Definition,
    answers: Mapping[str, Any],
    lot_numbers: Iterable[int],
    context: Mapping[str, Any],
) -> dict[str, Any]:
    """The answers to the questions asked of an application for these lots: what it keeps."""
    kept: dict[str, Any] = {}
    for section in sections_for(definition, lot_numbers):
        for question in section.questions:
            value = answers.get(question.id)
            if value is None or not applies(question, kept, context):
                continue
            if not fits(question, value):
                continue
            if question.type == QuestionType.GROUP:
                value = [_applicable_item(question, item, kept, context) for item in value]
            kept[question.id] = value
    return kept


def _applicable_item(
    group: Question, item: Mapping[str, Any], kept: Mapping[str, Any], context: Mapping[str, Any]
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for sub in group.questions:
        if sub.id in item and applies(sub, kept, context, item=result):
            result[sub.id] = item[sub.id]
    return result
