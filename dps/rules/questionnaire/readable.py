"""The questions asked and their answers as people read them: check your answers, a copy."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dps.rules.questionnaire.answers import capitalised, formatted
from dps.rules.questionnaire.applies import applicable_answers, sections_for
from dps.rules.questionnaire.definition import Definition, Question, QuestionType, applies

NOT_ANSWERED = "Not answered"


@dataclass(frozen=True)
class AnswerRow:
    question_id: str
    label: str
    value: str  # as a person reads it; lines separated by "\n"


@dataclass(frozen=True)
class ReadableSection:
    section_id: str
    title: str
    part_title: str
    lot: int | None
    rows: list[AnswerRow]


def readable_answers(
    definition: Definition,
    answers: Mapping[str, Any],
    lot_numbers: Iterable[int],
    context: Mapping[str, Any],
) -> list[ReadableSection]:
    """The questions asked for these lots and the answers that apply, section by section."""
    lot_numbers = list(lot_numbers)
    kept = applicable_answers(definition, answers, lot_numbers, context)
    result = []
    for section in sections_for(definition, lot_numbers):
        rows: list[AnswerRow] = []
        for question in section.questions:
            if not applies(question, kept, context):
                continue
            rows.extend(_rows(question, kept.get(question.id)))
        result.append(
            ReadableSection(section.id, section.title, section.part_title, section.lot, rows)
        )
    return result


def _rows(question: Question, value: Any) -> list[AnswerRow]:
    if question.type != QuestionType.GROUP:
        text = NOT_ANSWERED if value is None else formatted(question, value)
        return [AnswerRow(question.id, question.label, text)]
    if not value:
        return [AnswerRow(question.id, question.label, NOT_ANSWERED)]
    return [
        AnswerRow(
            question.id,
            f"{capitalised(question.item_label)} {number}",
            "\n".join(
                f"{sub.label}: {formatted(sub, item[sub.id])}"
                for sub in question.questions
                if sub.id in item
            ),
        )
        for number, item in enumerate(value, start=1)
    ]
