"""A draft call-off's task list: its sections, each one's status, and every problem in it.

A section is "not started" until it is first saved, "completed" when nothing in it is missing
or wrong, and "in progress" otherwise. Documents are optional: completed once there is one.
The problems are ``Refusal``s naming their fields, in the order of the form; publishing
(``dps.services.calloffs.publishing``) refuses while a required section has any.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dps.models.calloffs import CallOff, CallOffQuestion, PriceFormat
from dps.rules import award_criteria, pcr2015
from dps.rules.award_criteria import (
    CCIN_PRINCIPLES,
    MAX_SCORE_LIMIT,
    WORD_LIMIT_MAX,
    QuestionKind,
    WeightedQuestion,
)
from dps.rules.calloff_values import ValueRefused, fields_of
from dps.rules.enums import Role, SectionStatus
from dps.rules.evaluation import ABNORMALLY_LOW_PERCENT_RANGE
from dps.rules.refusals import Refusal


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    required: bool = True


SECTIONS: tuple[Section, ...] = (
    Section("details", "Title, description and where it is delivered"),
    Section("value_and_dates", "Estimated value and contract dates"),
    Section("questions", "Quality and social-value questions"),
    Section("price", "Price"),
    Section("criteria", "Award criteria and weightings"),
    Section("panel", "Evaluation panel"),
    Section("deadlines", "Deadlines"),
    Section("documents", "Documents", required=False),
)
SECTION_KEYS = tuple(section.key for section in SECTIONS)
# Award-criteria problems about the weights as a whole (the rest are the questions' own).
CRITERIA_FIELDS = frozenset({"price", "questions", "weights", "social_value"})


@dataclass(frozen=True)
class Task:
    section: Section
    status: SectionStatus
    problems: list[Refusal]


def tasks(call_off: CallOff, at: datetime) -> list[Task]:
    """Every section with its status and problems; deadlines judged for sending at ``at``."""
    return [
        Task(s, status(call_off, s.key, at), section_problems(call_off, s.key, at))
        for s in SECTIONS
    ]


def status(call_off: CallOff, section: str, at: datetime) -> SectionStatus:
    if section == "documents":
        current = [d for d in call_off.documents if d.removed_at is None]
        return SectionStatus.COMPLETED if current else SectionStatus.NOT_STARTED
    if section not in (call_off.sections_saved or []):
        return SectionStatus.NOT_STARTED
    if section_problems(call_off, section, at):
        return SectionStatus.IN_PROGRESS
    return SectionStatus.COMPLETED


def incomplete_problems(call_off: CallOff, at: datetime) -> list[Refusal]:
    """The problems of every required section, in task-list order."""
    found: list[Refusal] = []
    for section in SECTIONS:
        if section.required:
            found.extend(section_problems(call_off, section.key, at))
    return found


def weighted_questions(call_off: CallOff) -> list[WeightedQuestion]:
    """The questions as the award-criteria rules see them (a missing number counts as 0)."""
    return [
        WeightedQuestion(
            number=q.position,
            kind=q.kind,
            weight_percent=q.weight_percent or 0,
            max_score=q.max_score or 0,
            word_limit=q.word_limit,
            theme=q.theme,
        )
        for q in call_off.questions
    ]


def section_problems(call_off: CallOff, section: str, at: datetime) -> list[Refusal]:
    """Everything missing or wrong in one section, in the order of its form."""
    if section == "questions":
        return _question_problems(call_off)
    if section == "price":
        return _price_problems(call_off)
    if section == "panel":
        return _panel_problems(call_off)
    if section == "documents":
        return []
    found = _field_problems(call_off, section)
    start, end = call_off.contract_start, call_off.contract_end
    if section == "value_and_dates" and not found and start and end and end < start:
        found.append(
            Refusal("The contract end date must be after the start date", field="contract_end")
        )
    if section == "criteria":
        found.extend(_criteria_problems(call_off))
    if section == "deadlines" and not found:
        found.extend(
            pcr2015.deadline_problems(at, call_off.clarification_deadline, call_off.tender_deadline)
        )
    return found


def _pending(call_off: CallOff, section: str) -> dict[str, object]:
    value = (call_off.pending_input or {}).get(section) or {}
    return dict(value) if isinstance(value, dict) else {}


def _field_problems(call_off: CallOff, section: str) -> list[Refusal]:
    pending = _pending(call_off, section)
    found: list[Refusal] = []
    for field in fields_of(section):
        if field.name in pending:
            try:
                field.read(pending[field.name])
            except ValueRefused as refused:
                found.append(refused)
                continue
        if getattr(call_off, field.column) in (None, ""):
            found.append(Refusal(field.missing, field=field.name))
    return found


def _question_problems(call_off: CallOff) -> list[Refusal]:
    if not call_off.questions:
        return [Refusal("Add at least one question", field="questions")]
    pending = _pending(call_off, "questions")
    found: list[Refusal] = []
    for q in call_off.questions:
        typed = pending.get(str(q.position)) or {}
        assert isinstance(typed, dict)
        found.extend(
            Refusal(f"Question {q.position}: {message}", field=f"question-{q.position}-{part}")
            for message, part in _one_question(q, typed)
        )
    return found


def _one_question(q: CallOffQuestion, typed: dict[str, object]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if "kind" in typed:
        found.append(("choose whether it is about quality or social value", "kind"))
    if not q.text:
        found.append(
            ("enter the question" if "text" not in typed else "the question is too long", "text")
        )
    if "guidance" in typed:
        found.append(("the guidance is too long", "guidance"))
    if q.max_score is None:
        found.append(
            (
                f"the maximum score must be a whole number between 1 and {MAX_SCORE_LIMIT}"
                if "max_score" in typed
                else "enter the maximum score",
                "max_score",
            )
        )
    if not q.scoring_scale:
        found.append(("describe the scoring scale", "scoring_scale"))
    if "word_limit" in typed:
        found.append(
            (
                f"the word limit must be a whole number between 1 and {WORD_LIMIT_MAX:,}",
                "word_limit",
            )
        )
    if q.kind == QuestionKind.SOCIAL_VALUE and q.theme not in CCIN_PRINCIPLES:
        found.append(
            (
                "choose which of the network’s principles this social-value question is about",
                "theme",
            )
        )
    return found


def _price_problems(call_off: CallOff) -> list[Refusal]:
    return _format_problems(call_off) + _scoring_problems(call_off)


def _scoring_problems(call_off: CallOff) -> list[Refusal]:
    """How price is scored, the share that flags a low price and the tie-break: a choice that
    cannot be read is kept as typed (pending) and reported."""
    pending = _pending(call_off, "price")
    low, high = ABNORMALLY_LOW_PERCENT_RANGE
    messages = {
        "price_formula": "Choose how price is scored",
        "abnormally_low_percent": (
            f"The share below the average that flags a price must be a whole number from "
            f"{low} to {high}"
        ),
        "tie_break": "Choose how a tie is broken",
    }
    return [Refusal(message, field=name) for name, message in messages.items() if name in pending]


def _format_problems(call_off: CallOff) -> list[Refusal]:
    if call_off.price_format is None:
        return [Refusal("Choose how suppliers give their price", field="price_format")]
    if call_off.price_format == PriceFormat.TOTAL:
        return []
    if not call_off.price_lines:
        return [Refusal("Add at least one line to the price schedule", field="lines")]
    pending = _pending(call_off, "price")
    found: list[Refusal] = []
    for line in call_off.price_lines:
        name, field = f"Line {line.position}", f"line-{line.position}"
        if not line.description:
            found.append(Refusal(f"{name}: describe what is priced", field=f"{field}-description"))
        if line.quantity is None:
            message = (
                "the quantity must be a whole number, 1 or more"
                if f"{field}-quantity" in pending
                else "enter the quantity"
            )
            found.append(Refusal(f"{name}: {message}", field=f"{field}-quantity"))
    return found


def _criteria_problems(call_off: CallOff) -> list[Refusal]:
    pending = _pending(call_off, "criteria")
    found: list[Refusal] = []
    for q in call_off.questions:
        if q.weight_percent is None:
            message = (
                "the weighting must be a whole number between 1 and 100"
                if f"weight-{q.position}" in pending
                else "enter its weighting"
            )
            found.append(Refusal(f"Question {q.position}: {message}", field=f"weight-{q.position}"))
    if found or call_off.price_weight_percent is None:
        return found
    return [
        refusal
        for refusal in award_criteria.problems(
            weighted_questions(call_off), call_off.price_weight_percent
        )
        if refusal.field in CRITERIA_FIELDS
    ]


def _panel_problems(call_off: CallOff) -> list[Refusal]:
    if not call_off.panel:
        return [Refusal("Choose at least one person for the evaluation panel", field="members")]
    found: list[Refusal] = []
    for member in call_off.panel:
        membership = member.user.membership
        if (
            not member.user.active
            or membership is None
            or membership.organisation_id != call_off.organisation_id
            or membership.role != Role.BUYER
        ):
            found.append(
                Refusal(
                    f"{member.user.name} is no longer a buyer in your organisation", field="members"
                )
            )
    if call_off.panel_lead is None:
        found.append(Refusal("Choose who leads the evaluation panel", field="lead"))
    return found
