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
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError

from dps.extensions import db
from dps.models.accounts import User
from dps.models.base import utcnow
from dps.models.questionnaire import AnswerSet, QuestionnaireVersion
from dps.rules.enums import SectionStatus
from dps.rules.questionnaire import applies, progress, readable
from dps.rules.questionnaire.answers import raw_for_section, read_section
from dps.rules.questionnaire.definition import (
    PACKAGED_DEFINITION,
    Definition,
    DefinitionInvalid,
    Question,
    QuestionType,
    Section,
    check,
    checksum_of,
    parse,
    read_file,
)
from dps.rules.questionnaire.progress import Gap
from dps.rules.questionnaire.readable import AnswerRow, ReadableSection
from dps.rules.timefmt import london
from dps.services.common import audit
from dps.services.common.locking import lock_row

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
    return applies.sections_for(definition_of(version), lot_numbers)


def section_for(
    version: QuestionnaireVersion, section_id: str, lot_numbers: Iterable[int]
) -> Section | None:
    """The section, if it is asked of an application for these lots."""
    return applies.section_for(definition_of(version), section_id, lot_numbers)


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
        answers, pending = applies.carried_across(definition, answers, pending)

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
    """The organisation's answers, locked until the commit, made if it has none.

    The answers of every section are kept in one row: without the lock two colleagues saving
    different sections at once would each write back the other's old answers.
    """
    answer_set = lock_row(AnswerSet, _answer_set_id(organisation_id))
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
        theirs = lock_row(AnswerSet, _answer_set_id(organisation_id))
        if theirs is None:
            raise
        return theirs
    return answer_set


def _answer_set_id(organisation_id: int) -> int | None:
    return db.session.scalar(
        db.select(AnswerSet.id).where(AnswerSet.organisation_id == organisation_id)
    )


def page_values(answer_set: AnswerSet, section: Section) -> dict[str, Any]:
    """What a section's page shows: the answers, or what was typed where not valid yet."""
    return raw_for_section(section, answer_set.answers or {}, answer_set.pending_input or {})


# --- what applies, statuses and gaps (dps.rules.questionnaire), for a published version ----


def applicable_answers(
    version: QuestionnaireVersion,
    answers: Mapping[str, Any],
    lot_numbers: Iterable[int],
    context: Mapping[str, Any],
) -> dict[str, Any]:
    """The answers to the questions asked of an application for these lots: what it keeps."""
    return applies.applicable_answers(definition_of(version), answers, lot_numbers, context)


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
    return progress.section_status(
        definition_of(version),
        answers,
        section_id,
        lot_numbers,
        context,
        pending,
        today or london_today(),
    )


def gaps(
    version: QuestionnaireVersion,
    answers: Mapping[str, Any],
    lot_numbers: Iterable[int],
    context: Mapping[str, Any],
    today: date | None = None,
) -> list[Gap]:
    """Everything missing or not valid in the questionnaire for these lots, section by section."""
    return progress.gaps(
        definition_of(version), answers, lot_numbers, context, today or london_today()
    )


def readable_answers(
    version: QuestionnaireVersion,
    answers: Mapping[str, Any],
    lot_numbers: Iterable[int],
    context: Mapping[str, Any],
) -> list[ReadableSection]:
    """The questions asked and their answers, as people read them (check your answers, print)."""
    return readable.readable_answers(definition_of(version), answers, lot_numbers, context)
