"""A draft application's task list and its gaps, gathered from the parts that own them: the
organisation profile (``profiles``), the questionnaire (``questionnaire``) and the documents
(``documents``). The answers all belong to the organisation; the application chooses the lots,
and the lots decide which sections and documents are asked for.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from dps.models.applications import Application
from dps.models.documents import Document
from dps.models.questionnaire import QuestionnaireVersion
from dps.models.suppliers import SupplierProfile
from dps.rules.enums import LegalForm, OrganisationSize, SectionStatus
from dps.services.suppliers import documents, profiles, questionnaire
from dps.services.suppliers.questionnaire import ReadableSection


class Target(enum.StrEnum):
    """Where a task, or a gap, is put right."""

    PROFILE = "profile"
    SECTION = "section"
    DOCUMENTS = "documents"
    CHECK = "check"


@dataclass(frozen=True)
class Facts:
    """Everything the task list, the gaps and the snapshot read, gathered once."""

    organisation_id: int
    version: QuestionnaireVersion
    lot_numbers: list[int]
    profile: SupplierProfile
    context: dict[str, Any]
    answers: dict[str, Any]
    # What was typed but is not valid yet: it keeps a section In progress.
    pending: dict[str, Any]


@dataclass(frozen=True)
class Task:
    title: str
    target: Target
    status: SectionStatus
    section_id: str | None = None
    hint: str | None = None


@dataclass(frozen=True)
class TaskGroup:
    title: str
    tasks: list[Task]


@dataclass(frozen=True)
class TaskList:
    groups: list[TaskGroup]

    @property
    def sections(self) -> list[Task]:
        """The tasks that are answered (all but checking and sending)."""
        return [t for g in self.groups for t in g.tasks if t.target != Target.CHECK]

    @property
    def total(self) -> int:
        return len(self.sections)

    @property
    def completed(self) -> int:
        return sum(1 for t in self.sections if t.status == SectionStatus.COMPLETED)


@dataclass(frozen=True)
class Gap:
    """Something still missing or not valid, and where to put it right."""

    target: Target
    message: str
    section_id: str | None = None
    # The id of the box to link to on the section's page.
    field_id: str | None = None


def facts(application: Application) -> Facts:
    profile = profiles.profile_for(application.organisation_id)
    answer_set = questionnaire.answers_for(application.organisation_id)
    return Facts(
        organisation_id=application.organisation_id,
        version=questionnaire.current_version(),
        lot_numbers=application.lot_numbers,
        profile=profile,
        context=profiles.questionnaire_context(profile),
        answers=dict(answer_set.answers or {}),
        pending=dict(answer_set.pending_input or {}),
    )


def task_list(application: Application) -> TaskList:
    known = facts(application)
    # The questionnaire's sections for the chosen lots, under the headings of its parts.
    parts: dict[str, list[Task]] = {}
    for section in questionnaire.sections_for(known.version, known.lot_numbers):
        status = questionnaire.section_status(
            known.version,
            known.answers,
            section.id,
            known.lot_numbers,
            known.context,
            pending=known.pending,
        )
        parts.setdefault(section.part_title, []).append(
            Task(section.title, Target.SECTION, status, section_id=section.id)
        )
    profile_task = Task(
        "Organisation details", Target.PROFILE, profiles.profile_status(known.profile)
    )
    documents_task = Task(
        "Documents",
        Target.DOCUMENTS,
        documents.documents_status(
            known.organisation_id, known.answers, known.lot_numbers, known.context
        ),
        hint="Insurance certificates, accounts and policies",
    )
    groups = [
        TaskGroup("About your organisation", [profile_task]),
        *(TaskGroup(title, tasks) for title, tasks in parts.items()),
        TaskGroup("Evidence", [documents_task]),
    ]
    answered = all(t.status == SectionStatus.COMPLETED for g in groups for t in g.tasks)
    # Always open: the page lists what is still missing, with a link to each.
    check = Task(
        "Check your answers and send",
        Target.CHECK,
        SectionStatus.NOT_STARTED,
        hint=None if answered else "See what is still missing before you can send it",
    )
    groups.append(TaskGroup("Send your application", [check]))
    return TaskList(groups)


def gaps(application: Application) -> list[Gap]:
    """Every gap in the application, in the order of the task list."""
    known = facts(application)
    found = [Gap(Target.PROFILE, message) for message in profiles.profile_gaps(known.profile)]
    found += [
        Gap(Target.SECTION, gap.message, section_id=gap.section_id, field_id=gap.field_id)
        for gap in questionnaire.gaps(
            known.version, known.answers, known.lot_numbers, known.context
        )
    ]
    found += [
        Gap(Target.DOCUMENTS, message)
        for message in documents.document_gaps(
            known.organisation_id, known.answers, known.lot_numbers, known.context
        )
    ]
    return found


# --- check your answers ------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileRow:
    label: str
    value: str  # lines separated by "\n"
    field: str  # the first field of the row, to link to on the profile form


@dataclass(frozen=True)
class Review:
    """Everything the application will send, as people read it, and what is still missing."""

    profile: list[ProfileRow]
    sections: list[ReadableSection]
    documents: list[Document]
    gaps: list[Gap]


def review(application: Application) -> Review:
    known = facts(application)
    return Review(
        profile=profile_rows(profile_record(known.profile)),
        sections=questionnaire.readable_answers(
            known.version, known.answers, known.lot_numbers, known.context
        ),
        documents=documents.current_documents(known.organisation_id),
        gaps=gaps(application),
    )


def profile_record(profile: SupplierProfile) -> dict[str, Any]:
    """The profile's fields as plain values (as the snapshot keeps them)."""
    return {field.name: plain(getattr(profile, field.name)) for field in profiles.FIELDS}


def profile_rows(record: dict[str, Any]) -> list[ProfileRow]:
    """A profile record (see ``profile_record``) as labelled rows; empty ones left out."""

    def lines(*names: str) -> str:
        return "\n".join(str(record[name]) for name in names if record.get(name))

    def yes_no(name: str) -> str:
        value = record.get(name)
        return "" if value is None else "Yes" if value else "No"

    legal_form = record.get("legal_form")
    size = record.get("size")
    employees = record.get("employees")
    rows = [
        ProfileRow("Legal name", lines("legal_name"), "legal_name"),
        ProfileRow("Trading name", lines("trading_name"), "trading_name"),
        ProfileRow("Legal form", LegalForm(legal_form).label if legal_form else "", "legal_form"),
        ProfileRow(
            "Companies House number", lines("companies_house_number"), "companies_house_number"
        ),
        ProfileRow("Charity number", lines("charity_number"), "charity_number"),
        ProfileRow("FCA mutuals register number", lines("fca_number"), "fca_number"),
        ProfileRow(
            "Registered address",
            lines("address_line_1", "address_line_2", "town", "postcode"),
            "address_line_1",
        ),
        ProfileRow(
            "Main contact", lines("contact_name", "contact_email", "contact_phone"), "contact_name"
        ),
        ProfileRow("Size", profiles.SIZE_LABELS[OrganisationSize(size)] if size else "", "size"),
        ProfileRow(
            "Number of employees", f"{employees:,}" if employees is not None else "", "employees"
        ),
        ProfileRow("VCSE", yes_no("is_vcse"), "is_vcse"),
        ProfileRow(
            "Co-operative or mutual", yes_no("is_cooperative_or_mutual"), "is_cooperative_or_mutual"
        ),
        ProfileRow(
            "Regions served",
            ", ".join(profiles.REGIONS.get(r, r) for r in record.get("regions") or []),
            "regions",
        ),
    ]
    return [row for row in rows if row.value]


def plain(value: Any) -> Any:
    """A value as JSON keeps it: enums by value, dates as ISO 8601."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value
