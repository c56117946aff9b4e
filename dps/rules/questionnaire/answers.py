"""Answers to the questionnaire: what was typed, read into stored values, checked, shown again.

What a page sends for a section ("raw" input) is, per question id: the text typed; a list of
the values ticked (checkboxes); ``[day, month, year]`` (dates); and for a repeating group a
list of items, each such a mapping of its own questions. Stored values are plain JSON: text,
integer pence (money), whole numbers, ISO dates ("2026-03-31"), lists of option values, and
lists of item mappings.

Which answers are kept: a section is read question by question in order, so a condition sees
the answers before it. An answer to a question that does not apply is neither required nor
kept — a revealed answer sent without JavaScript under the radio not chosen is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

from dps.rules import digits
from dps.rules.questionnaire.definition import (
    DEFAULT_TEXT_LENGTH,
    Question,
    QuestionType,
    Section,
    applies,
)
from dps.rules.timefmt import format_date, format_pence
from dps.rules.typed_text import control_characters_message, has_control_characters

MONEY_PATTERN = re.compile(r"([0-9]+)(?:\.([0-9]{1,2}))?")
MAX_POUNDS_DIGITS = 12  # up to £999,999,999,999: more is a typing slip
URL_LENGTH = 500
EMAIL_LENGTH = 320
# Characters a word may take on average before a textarea is refused as too long anyway.
CHARACTERS_PER_WORD = 30


@dataclass
class SectionReading:
    """A section's answers read from what was typed."""

    answers: dict[str, Any]  # the organisation's answers, this section's replaced
    pending: dict[str, Any]  # what was typed but is not valid yet, by question id
    errors: dict[str, str] = field(default_factory=dict)  # field name -> message, page order


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def missing_message(question: Question) -> str:
    if question.error_required:
        return question.error_required
    if question.type == QuestionType.GROUP:
        if question.min_items > 1:
            return f"Add at least {question.min_items} {question.item_label}s"
        return f"Add at least one {question.item_label}"
    if question.type in (QuestionType.RADIOS, QuestionType.YESNO, QuestionType.CHECKBOXES):
        return f"Select {question.error_name}"
    return f"Enter {question.error_name}"


def is_blank(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, Mapping):
        return all(is_blank(value) for value in raw.values())
    if isinstance(raw, list | tuple):
        return all(is_blank(value) for value in raw)
    return False


def read_section(
    section: Section,
    raw: Mapping[str, Any],
    answers: Mapping[str, Any],
    pending: Mapping[str, Any],
    context: Mapping[str, Any],
    today: date,
) -> SectionReading:
    """Read a section's raw input into answers, keeping what is valid and what was typed."""
    reading = SectionReading(answers=dict(answers), pending=dict(pending))
    for question in section.questions:
        reading.answers.pop(question.id, None)
        reading.pending.pop(question.id, None)
        if not applies(question, reading.answers, context):
            continue
        given = raw.get(question.id)
        if question.type == QuestionType.GROUP:
            _read_group(question, given, reading, context, today)
            continue
        value, error = read_value(question, given, today)
        if value is not None:
            reading.answers[question.id] = value
        if error:
            reading.errors[question.id] = error
            reading.pending[question.id] = given
        elif value is None and question.required:
            reading.errors[question.id] = missing_message(question)
    return reading


def _read_group(
    group: Question,
    given: Any,
    reading: SectionReading,
    context: Mapping[str, Any],
    today: date,
) -> None:
    items: list[dict[str, Any]] = []
    kept_raw: list[Any] = []
    typed_wrong = False
    raw_items = given if isinstance(given, list) else []
    for index, raw_item in enumerate(raw_items):
        if not isinstance(raw_item, Mapping) or is_blank(raw_item):
            continue  # an item added and left empty is not an answer
        item: dict[str, Any] = {}
        for sub in group.questions:
            if not applies(sub, reading.answers, context, item=item):
                continue
            key = f"{group.id}-{index}-{sub.id}"
            value, error = read_value(sub, raw_item.get(sub.id), today)
            if error is None and value is not None and sub.not_before:
                error = _order_error(sub, value, item, group)
            if error:
                typed_wrong = True
                reading.errors[key] = error
            elif value is None and sub.required:
                reading.errors[key] = missing_message(sub)
            if value is not None and error is None:
                item[sub.id] = value
        items.append(item)
        kept_raw.append(dict(raw_item))
    if items:
        reading.answers[group.id] = items
    if typed_wrong:
        reading.pending[group.id] = kept_raw
    if group.required and len(items) < group.min_items:
        reading.errors.setdefault(group.id, missing_message(group))
    elif len(items) > group.max_items:
        reading.errors.setdefault(
            group.id, f"You can add no more than {group.max_items} {group.item_label}s"
        )


def _order_error(
    question: Question, value: str, item: Mapping[str, Any], group: Question
) -> str | None:
    earlier = item.get(question.not_before or "")
    if earlier is None or value >= earlier:  # ISO dates sort as dates
        return None
    other = next(q for q in group.questions if q.id == question.not_before)
    return f"{capitalised(question.error_name)} must be the same as or after {other.error_name}"


def read_value(question: Question, raw: Any, today: date) -> tuple[Any, str | None]:
    """The stored value of one answer and the error, if any; (None, None) when left blank."""
    if question.type == QuestionType.DATE:
        return _read_date(question, raw, today)
    if question.type == QuestionType.CHECKBOXES:
        return _read_checkboxes(question, raw)
    if isinstance(raw, list | tuple):
        raw = raw[0] if raw else ""
    text = str(raw or "").replace("\r\n", "\n").strip()
    if not text:
        return None, None
    name = capitalised(question.error_name)
    if has_control_characters(text, multi_line=question.type == QuestionType.TEXTAREA):
        return None, control_characters_message(name)
    match question.type:
        case QuestionType.RADIOS | QuestionType.YESNO:
            if text not in {option.value for option in question.choices}:
                return None, missing_message(question)
            return text, None
        case QuestionType.MONEY:
            return _read_money(question, text)
        case QuestionType.NUMBER:
            return _read_number(question, text)
        case QuestionType.EMAIL:
            return _read_email(question, text)
        case QuestionType.URL:
            return _read_url(question, text)
        case QuestionType.TEXTAREA:
            limit = question.max_words or 0
            if len(text.split()) > limit:
                return None, f"{name} must be {limit} words or fewer"
            if len(text) > (question.max_length or limit * CHARACTERS_PER_WORD):
                return None, f"{name} is too long: shorten it"
            return text, None
        case _:
            limit = question.max_length or DEFAULT_TEXT_LENGTH
            if len(text) > limit:
                return None, f"{name} must be {limit} characters or fewer"
            return text, None


def _read_money(question: Question, text: str) -> tuple[int | None, str | None]:
    name = capitalised(question.error_name)
    cleaned = text.replace("£", "").replace(",", "").replace(" ", "")
    if cleaned.startswith("-") and MONEY_PATTERN.fullmatch(cleaned[1:]):
        return None, f"{name} must be £0 or more"
    match = MONEY_PATTERN.fullmatch(cleaned)
    if match is None:
        return None, f"{name} must be an amount in pounds, like 250000 or 250000.50"
    pounds, pence = match.group(1), (match.group(2) or "0").ljust(2, "0")
    if len(pounds.lstrip("0")) > MAX_POUNDS_DIGITS:
        return None, f"{name} must be less than £1 trillion"
    return int(pounds) * 100 + int(pence), None


def _read_number(question: Question, text: str) -> tuple[int | None, str | None]:
    name = capitalised(question.error_name)
    cleaned = text.replace(",", "")
    if not re.fullmatch(r"-?[0-9]{1,12}", cleaned):
        return None, f"{name} must be a whole number"
    number = int(cleaned)
    if question.min is not None and number < question.min:
        return None, f"{name} must be {question.min} or more"
    if question.max is not None and number > question.max:
        return None, f"{name} must be {question.max} or fewer"
    return number, None


def _read_email(question: Question, text: str) -> tuple[str | None, str | None]:
    problem = f"Enter {question.error_name} in the correct format, like name@example.com"
    if len(text) > EMAIL_LENGTH:
        return None, problem
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return None, problem
    return text, None


def _read_url(question: Question, text: str) -> tuple[str | None, str | None]:
    problem = f"Enter {question.error_name} in the correct format, like https://www.example.org"
    # People often leave the scheme off a web address; the secure one is assumed.
    address = text if "://" in text else f"https://{text}"
    try:
        parts = urlsplit(address)
    except ValueError:
        return None, problem
    host = parts.hostname or ""
    if (
        parts.scheme not in ("http", "https")
        or "." not in host
        or any(c.isspace() for c in address)
        or len(address) > URL_LENGTH
    ):
        return None, problem
    return address, None


def _read_checkboxes(question: Question, raw: Any) -> tuple[list[str] | None, str | None]:
    chosen = [str(v) for v in (raw if isinstance(raw, list | tuple) else [raw]) if v]
    if not chosen:
        return None, None
    by_value = {option.value: option for option in question.options}
    if any(value not in by_value for value in chosen):
        return None, missing_message(question)
    exclusive = [by_value[v] for v in chosen if by_value[v].exclusive]
    if exclusive and len(set(chosen)) > 1:
        return None, f"Select ‘{exclusive[0].label}’ on its own, or untick it"
    return [option.value for option in question.options if option.value in chosen], None


def _read_date(question: Question, raw: Any, today: date) -> tuple[str | None, str | None]:
    parts = [str(p or "").strip() for p in (raw if isinstance(raw, list | tuple) else [])]
    day, month, year = [*parts, "", "", ""][:3]
    if not any(parts):
        return None, None
    name = capitalised(question.error_name)
    if len(parts) > 3:
        # Only a hand-made request sends more than the three boxes: no date can be read.
        return None, f"{name} must be a real date"
    missing = [
        label for label, part in (("day", day), ("month", month), ("year", year)) if not part
    ]
    if missing:
        return None, f"{name} must include a {' and '.join(missing)}"
    if not digits.date_boxes_are_numbers(day, month, year):
        return None, f"{name} must be a real date"
    if len(year) != 4:
        return None, f"{name} must have a year with 4 numbers"
    try:
        value = date(int(year), int(month), int(day))
    except ValueError:
        return None, f"{name} must be a real date"
    if question.not_in_future and value > today:
        return None, f"{name} must be today or in the past"
    if question.not_in_past and value < today:
        return None, f"{name} must be today or in the future"
    return value.isoformat(), None


# --- stored values shown again -----------------------------------------------------------------


def to_raw(question: Question, value: Any) -> Any:
    """A stored value as a form shows it to be changed."""
    if value is None:
        if question.type == QuestionType.DATE:
            return ["", "", ""]
        return [] if question.type in (QuestionType.CHECKBOXES, QuestionType.GROUP) else ""
    match question.type:
        case QuestionType.MONEY:
            pounds, pence = divmod(int(value), 100)
            return f"{pounds}.{pence:02d}" if pence else str(pounds)
        case QuestionType.DATE:
            when = date.fromisoformat(value)
            return [str(when.day), str(when.month), str(when.year)]
        case QuestionType.CHECKBOXES:
            return list(value)
        case QuestionType.GROUP:
            return [
                {sub.id: to_raw(sub, item.get(sub.id)) for sub in question.questions}
                for item in value
            ]
        case _:
            return str(value)


def raw_for_section(
    section: Section, answers: Mapping[str, Any], pending: Mapping[str, Any]
) -> dict[str, Any]:
    """What the section's page shows: what was typed where it is not valid yet, else the answer."""
    return {
        q.id: pending[q.id] if q.id in pending else to_raw(q, answers.get(q.id))
        for q in section.questions
    }


def formatted(question: Question, value: Any) -> str:
    """An answer as a person reads it: pounds, London dates, option labels."""
    match question.type:
        case QuestionType.MONEY:
            return format_pence(int(value))
        case QuestionType.DATE:
            return format_date(date.fromisoformat(value))
        case QuestionType.RADIOS | QuestionType.YESNO:
            return question.option_label(value)
        case QuestionType.CHECKBOXES:
            return "\n".join(question.option_label(v) for v in value)
        case QuestionType.NUMBER:
            return f"{int(value):,}"
        case _:
            return str(value)
