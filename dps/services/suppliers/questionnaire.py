"""The selection questionnaire: published versions, an organisation's answers, their status.

The questions are data (``dps/questionnaires/*.json``), published into the database as
versions that never change: publishing a changed file makes a new version and the old ones stay
readable, so an application shows the questions it was answered against. Answers belong to the
organisation and are reused by every application; they are keyed by question id, so answering
under a newer version carries every answer whose question is still asked across.

Questions that do not apply — to the lots chosen, to the facts about the organisation (such as
having no employees), or to the answers before them — are not asked, not required and not kept:
saving a section drops its answers to questions that do not apply, and ``applicable_answers``
leaves out the rest (answers in sections of a lot not chosen, or whose condition depends on
another section that has since changed). Statuses, gaps, the readable list and the snapshot of
a submitted application are all drawn from ``applicable_answers``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError

from dps.extensions import db
from dps.models.accounts import User
from dps.models.base import utcnow
from dps.models.questionnaire import AnswerSet, QuestionnaireVersion
from dps.rules.enums import SectionStatus
from dps.rules.questionnaire.answers import (
    capitalised,
    formatted,
    raw_for_section,
    read_section,
)
from dps.rules.questionnaire.definition import (
    PACKAGED_DEFINITION,
    Definition,
    DefinitionInvalid,
    Question,
    QuestionType,
    Section,
    applies,
    check,
    checksum_of,
    parse,
    read_file,
)
from dps.rules.timefmt import london
from dps.services.common import audit

__all__ = [
    "PACKAGED_DEFINITION",
    "AnswerRow",
    "DefinitionInvalid",
    "Gap",
    "Question",
    "QuestionType",
    "ReadableSection",
    "Section",
    "SectionStatus",
    "answers_for",
    "applicable_answers",
    "current_version",
    "definition_of",
    "gaps",
    "publish",
    "readable_answers",
    "save_section",
    "section_for",
    "section_status",
    "sections_for",
]


@dataclass(frozen=True)
class Gap:
    """Something missing or not valid, for the check-your-answers page."""

    section_id: str
    question_id: str
    message: str
    section_title: str = ""
    # The id of the box to link to on the section's page.
    field_id: str = ""


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


def london_today() -> date:
    return london(utcnow()).date()


# --- versions ----------------------------------------------------------------------------------

_definitions: dict[str, Definition] = {}


def definition_of(version: QuestionnaireVersion) -> Definition:
    """The typed definition of a published version (kept in memory: versions never change)."""
    if version.checksum not in _definitions:
        _definitions[version.checksum] = parse(version.definition)
    return _definitions[version.checksum]


def publish(path: Path = PACKAGED_DEFINITION, actor: User | None = None) -> QuestionnaireVersion:
    """Publish the definition in ``path`` as the current version; the same content twice is one.

    A file whose content changed becomes a new version even if its version label was not
    raised; its label then gets a revision suffix ("2026.1-r2"), since a label names one
    content for ever. Added to the session, not committed: the caller's transaction decides.
    """
    raw = read_file(path)
    check(raw)
    checksum = checksum_of(raw)
    existing = db.session.scalars(
        db.select(QuestionnaireVersion).where(
            QuestionnaireVersion.key == raw["key"], QuestionnaireVersion.checksum == checksum
        )
    ).first()
    if existing is not None:
        return existing
    label = _free_label(raw["key"], raw["version"])
    for previous in db.session.scalars(
        db.select(QuestionnaireVersion).where(
            QuestionnaireVersion.key == raw["key"], QuestionnaireVersion.is_current.is_(True)
        )
    ):
        previous.is_current = False
    version = QuestionnaireVersion(
        key=raw["key"],
        version=label,
        title=raw["title"],
        definition=raw,
        checksum=checksum,
        is_current=True,
    )
    db.session.add(version)
    db.session.flush()
    audit.record(
        "questionnaire.published",
        version,
        actor=actor,
        after={"key": raw["key"], "version": label, "checksum": checksum, "file": path.name},
    )
    return version


def _free_label(key: str, label: str) -> str:
    taken = set(
        db.session.scalars(
            db.select(QuestionnaireVersion.version).where(QuestionnaireVersion.key == key)
        )
    )
    if label not in taken:
        return label
    revision = 2
    while f"{label}-r{revision}" in taken:
        revision += 1
    return f"{label}-r{revision}"


def current_version() -> QuestionnaireVersion:
    """The version suppliers answer now, publishing the packaged definition if there is none."""
    version = db.session.scalars(
        db.select(QuestionnaireVersion)
        .where(QuestionnaireVersion.is_current.is_(True))
        .order_by(QuestionnaireVersion.id.desc())
    ).first()
    return version if version is not None else publish(PACKAGED_DEFINITION)


def sections_for(version: QuestionnaireVersion, lot_numbers: Iterable[int]) -> list[Section]:
    """The sections asked of an application for these lots, in order."""
    lots = set(lot_numbers)
    return [s for s in definition_of(version).sections if s.lot is None or s.lot in lots]


def section_for(
    version: QuestionnaireVersion, section_id: str, lot_numbers: Iterable[int]
) -> Section | None:
    """The section, if it is asked of an application for these lots."""
    return next((s for s in sections_for(version, lot_numbers) if s.id == section_id), None)


# --- answers -----------------------------------------------------------------------------------


def answers_for(organisation_id: int) -> AnswerSet:
    """The organisation's latest answers; an empty set, not yet saved, when it has none."""
    answer_set = db.session.scalars(
        db.select(AnswerSet).where(AnswerSet.organisation_id == organisation_id)
    ).first()
    if answer_set is not None:
        return answer_set
    # Not added to the session: reading a page changes nothing; the first save stores it.
    return AnswerSet(
        organisation_id=organisation_id,
        questionnaire_version=current_version(),
        answers={},
        pending_input=None,
    )


def context_for(organisation_id: int) -> dict[str, Any]:
    """The facts from the organisation's profile that decide which questions apply."""
    from dps.services.suppliers import profiles

    return profiles.questionnaire_context(profiles.profile_for(organisation_id))


def save_section(
    organisation_id: int,
    section_id: str,
    form_data: Mapping[str, Any],
    actor: User | None,
    *,
    context: Mapping[str, Any] | None = None,
    today: date | None = None,
) -> dict[str, str]:
    """Save a section's answers under the current version; the errors, by field name.

    What is valid is saved and what was typed but is not valid yet is kept too (shown again on
    the page), so "Save and come back later" loses nothing. ``form_data`` is the raw input
    described in ``dps.rules.questionnaire.answers``. Raises LookupError for a section the
    current version does not have.
    """
    version = current_version()
    definition = definition_of(version)
    section = definition.section(section_id)
    if section is None:
        raise LookupError(f"The questionnaire has no section {section_id}")
    if context is None:
        context = context_for(organisation_id)
    answer_set = _answers_to_change(organisation_id, version)
    before = dict(answer_set.answers or {})
    answers, pending = before, dict(answer_set.pending_input or {})
    earlier_version = None
    if answer_set.questionnaire_version_id not in (None, version.id):
        earlier_version = answer_set.questionnaire_version.version
        answers, pending = _carried_across(definition, answers, pending)

    reading = read_section(section, form_data, answers, pending, context, today or london_today())

    changed = sorted(
        key
        for key in set(before) | set(reading.answers)
        if before.get(key) != reading.answers.get(key)
    )
    if changed or reading.pending != (answer_set.pending_input or {}) or earlier_version:
        answer_set.answers = reading.answers
        answer_set.pending_input = reading.pending or None
        answer_set.questionnaire_version = version
        answer_set.updated_by_id = actor.id if actor is not None else None
        db.session.add(answer_set)
        db.session.flush()
        audit.record(
            "questionnaire.section_saved",
            answer_set,
            actor=actor,
            before={"answers": {key: before.get(key) for key in changed}},
            after={
                "section": section.id,
                "version": version.version,
                "carried_across_from": earlier_version,
                "answers": {key: reading.answers.get(key) for key in changed},
                "not_valid_yet": sorted(k for k in reading.pending if section.question(k)),
            },
        )
    db.session.commit()
    return reading.errors


def _answers_to_change(organisation_id: int, version: QuestionnaireVersion) -> AnswerSet:
    """The organisation's answers, locked until the commit (PostgreSQL), made if it has none.

    The answers of every section are kept in one row: without the lock two colleagues saving
    different sections at once would each write back the other's old answers.
    """
    query = (
        db.select(AnswerSet)
        .where(AnswerSet.organisation_id == organisation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    answer_set = db.session.scalars(query).first()
    if answer_set is not None:
        return answer_set
    answer_set = AnswerSet(
        organisation_id=organisation_id,
        questionnaire_version=version,
        answers={},
        pending_input=None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(answer_set)
    except IntegrityError:
        # A colleague's first save made the row a moment ago: use theirs.
        return db.session.scalars(query).one()
    return answer_set


def _carried_across(
    definition: Definition, answers: Mapping[str, Any], pending: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The answers kept under a new version: those whose question it still asks, same kind."""
    kept = {
        key: value
        for key, value in answers.items()
        if (question := definition.question(key)) is not None and _fits(question, value)
    }
    return kept, {key: value for key, value in pending.items() if definition.question(key)}


def _fits(question: Question, value: Any) -> bool:
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


def page_values(answer_set: AnswerSet, section: Section) -> dict[str, Any]:
    """What a section's page shows: the answers, or what was typed where not valid yet."""
    return raw_for_section(section, answer_set.answers or {}, answer_set.pending_input or {})


# --- what applies, statuses and gaps -----------------------------------------------------------


def applicable_answers(
    version: QuestionnaireVersion,
    answers: Mapping[str, Any],
    lot_numbers: Iterable[int],
    context: Mapping[str, Any],
) -> dict[str, Any]:
    """The answers to the questions asked of an application for these lots: what it keeps."""
    kept: dict[str, Any] = {}
    for section in sections_for(version, lot_numbers):
        for question in section.questions:
            value = answers.get(question.id)
            if value is None or not applies(question, kept, context):
                continue
            if not _fits(question, value):
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


def _stored_errors(
    section: Section, answers: Mapping[str, Any], context: Mapping[str, Any], today: date
) -> dict[str, str]:
    """The section's answers read again as if typed: what is missing or no longer valid."""
    raw = raw_for_section(section, answers, {})
    return read_section(section, raw, answers, {}, context, today).errors


def section_status(
    version: QuestionnaireVersion,
    answers: Mapping[str, Any],
    section_id: str,
    lot_numbers: Iterable[int],
    context: Mapping[str, Any],
    pending: Mapping[str, Any] | None = None,
    today: date | None = None,
) -> SectionStatus:
    """Not started (nothing answered), Completed (nothing missing or wrong), else In progress.

    ``pending`` (AnswerSet.pending_input) keeps a section with something typed but not valid
    yet In progress.
    """
    lot_numbers = list(lot_numbers)
    section = section_for(version, section_id, lot_numbers)
    if section is None:
        raise LookupError(f"Section {section_id} is not asked for lots {lot_numbers}")
    kept = applicable_answers(version, answers, lot_numbers, context)
    typed = [q.id for q in section.questions if q.id in (pending or {})]
    if not typed and not any(q.id in kept for q in section.questions):
        return SectionStatus.NOT_STARTED
    if typed or _stored_errors(section, kept, context, today or london_today()):
        return SectionStatus.IN_PROGRESS
    return SectionStatus.COMPLETED


def gaps(
    version: QuestionnaireVersion,
    answers: Mapping[str, Any],
    lot_numbers: Iterable[int],
    context: Mapping[str, Any],
    today: date | None = None,
) -> list[Gap]:
    """Everything missing or not valid in the questionnaire for these lots, section by section."""
    lot_numbers = list(lot_numbers)
    kept = applicable_answers(version, answers, lot_numbers, context)
    found: list[Gap] = []
    for section in sections_for(version, lot_numbers):
        for key, message in _stored_errors(section, kept, context, today or london_today()).items():
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


# --- reading the answers -----------------------------------------------------------------------

NOT_ANSWERED = "Not answered"


def readable_answers(
    version: QuestionnaireVersion,
    answers: Mapping[str, Any],
    lot_numbers: Iterable[int],
    context: Mapping[str, Any],
) -> list[ReadableSection]:
    """The questions asked and their answers, as people read them (check your answers, print)."""
    lot_numbers = list(lot_numbers)
    kept = applicable_answers(version, answers, lot_numbers, context)
    result = []
    for section in sections_for(version, lot_numbers):
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
