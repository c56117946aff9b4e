"""The audit trail as administrators read it: who did what and when, with what changed.

An application's trail gathers the events about the application itself and about what hangs
off it (its runs of checks, clarification requests and the admissions it led to); a
supplier's gathers those of the organisation, its profile, documents, applications and
admissions. Times are instants, shown in London time by the templates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select

from dps.extensions import db
from dps.models.accounts import User
from dps.models.admissions import Admission
from dps.models.applications import Application
from dps.models.audit import AuditEvent
from dps.models.checks import CheckRun
from dps.models.clarifications import ClarificationRequest
from dps.models.documents import Document
from dps.models.suppliers import SupplierProfile
from dps.rules.timefmt import format_datetime
from dps.services.common.audit import SYSTEM_ACTOR

# What each action means, in words; others are spelt out from their names.
ACTIONS = {
    "application.started": "Application started",
    "application.lots_changed": "Lots changed",
    "application.submitted": "Application sent",
    "application.checking": "Checks started",
    "application.ready_for_review": "Ready for review",
    "application.clarification_requested": "Clarification requested",
    "application.decided": "Application decided",
    "application.withdrawn": "Application withdrawn",
    "application.assigned": "Officer assigned",
    "application.check_rerun": "Check run again",
    "application.clock_extended": "Time to decide extended",
    "application.lot_decided": "Lot decided",
    "admission.admitted": "Admitted to the lot",
    "admission.suspended": "Suspended from the lot",
    "admission.removed": "Removed from the lot",
    "admission.evidence_expired": "Evidence expired",
    "admission.evidence_in_date": "Evidence back in date",
    "check_run.started": "Checks started",
    "check_run.completed": "Checks finished",
    "clarification.requested": "Clarification requested",
    "clarification.answered": "Clarification answered",
}
# A reinstatement is a move back to "admitted": its event is named for the state reached.
REINSTATED = "Reinstated in the lot"


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class TrailEntry:
    when: datetime
    who: str
    what: str
    changes: list[Change]


def application_trail(application: Application) -> list[TrailEntry]:
    app_id = application.id
    return _trail(
        [
            ("applications", [app_id]),
            ("check_runs", select(CheckRun.id).where(CheckRun.application_id == app_id)),
            (
                "clarification_requests",
                select(ClarificationRequest.id).where(
                    ClarificationRequest.application_id == app_id
                ),
            ),
            ("admissions", select(Admission.id).where(Admission.application_id == app_id)),
        ]
    )


def supplier_trail(organisation_id: int) -> list[TrailEntry]:
    return _trail(
        [
            ("organisations", [organisation_id]),
            (
                "supplier_profiles",
                select(SupplierProfile.id).where(
                    SupplierProfile.organisation_id == organisation_id
                ),
            ),
            (
                "documents",
                select(Document.id).where(Document.organisation_id == organisation_id),
            ),
            (
                "applications",
                select(Application.id).where(Application.organisation_id == organisation_id),
            ),
            (
                "admissions",
                select(Admission.id).where(Admission.organisation_id == organisation_id),
            ),
        ]
    )


def events_of(
    objects: Iterable[tuple[str, Any]], *, oldest_first: bool = False
) -> list[tuple[AuditEvent, User | None]]:
    """The audit events about the objects named (type, ids or a select of ids), with each
    event's actor when it was a person; newest first unless ``oldest_first``."""
    conditions: list[ColumnElement[bool]] = []
    for object_type, ids in objects:
        found = [str(i) for i in (ids if isinstance(ids, list) else db.session.scalars(ids))]
        if found:
            conditions.append(
                and_(AuditEvent.object_type == object_type, AuditEvent.object_id.in_(found))
            )
    order = (
        (AuditEvent.occurred_at, AuditEvent.id)
        if oldest_first
        else (AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    )
    rows = db.session.execute(
        select(AuditEvent, User)
        .outerjoin(User, User.id == AuditEvent.actor_user_id)
        .where(or_(false(), *conditions))
        .order_by(*order)
    )
    return [(event, user) for event, user in rows.tuples()]


def _trail(objects: Iterable[tuple[str, Any]]) -> list[TrailEntry]:
    return [entry(event, user) for event, user in events_of(objects)]


def entry(
    event: AuditEvent, user: User | None, *, who: str | None = None, what: str | None = None
) -> TrailEntry:
    """An event in words; ``who`` and ``what`` replace the usual wording where a trail has its
    own (an actor not to be named, an action it names better)."""
    return TrailEntry(
        when=event.occurred_at,
        who=who if who is not None else _who(event, user),
        what=what if what is not None else _what(event),
        changes=_changes(event.before or {}, event.after or {}),
    )


def _who(event: AuditEvent, user: User | None) -> str:
    if user is not None:
        return f"{user.name} ({user.email})"
    if event.actor_description == SYSTEM_ACTOR:
        return "The system"
    return event.actor_description


def _what(event: AuditEvent) -> str:
    if event.action == "admission.admitted" and (event.before or {}).get("status"):
        return REINSTATED
    return ACTIONS.get(event.action) or _words(event.action.split(".", 1)[-1]).capitalize()


def _changes(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    keys = list(before) + [key for key in after if key not in before]
    return [
        Change(_words(key).capitalize(), _shown(before.get(key)), _shown(after.get(key)))
        for key in keys
    ]


def _words(name: str) -> str:
    return name.replace("_", " ")


def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(_shown(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{_words(str(k))}: {_shown(v)}" for k, v in value.items())
    if isinstance(value, str) and (instant := _instant(value)) is not None:
        return format_datetime(instant)
    return _words(str(value)) if _is_code(value) else str(value)


def _instant(text: str) -> datetime | None:
    """An instant kept as ISO 8601 text with its zone (a due date), or None."""
    if len(text) < 19 or text[4] != "-" or "T" not in text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


def _is_code(value: Any) -> bool:
    """A stored code such as ready_for_review reads better as words."""
    return isinstance(value, str) and value.replace("_", "").isalpha() and value.islower()
