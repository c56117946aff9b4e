"""The immutable record of what an application said when it was sent, and its checksum.

The answers, the profile and the documents belong to the organisation and go on changing; the
snapshot keeps them as they were at submission, with a SHA-256 checksum over its canonical JSON
(keys sorted, no spaces, UTF-8), so any later change to the stored record can be detected.
Only the questions that applied to this application are kept.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from dps.models.applications import Application
from dps.services.applications import task_list
from dps.services.applications.task_list import ProfileRow, plain, profile_record, profile_rows
from dps.services.suppliers import documents, questionnaire
from dps.services.suppliers.questionnaire import ReadableSection

SNAPSHOT_FORMAT = 1


def canonical_json(snapshot: dict[str, Any]) -> bytes:
    return json.dumps(
        snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def checksum(snapshot: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(snapshot)).hexdigest()


def is_intact(application: Application) -> bool:
    """Whether the stored snapshot still matches the checksum taken when it was sent."""
    if application.snapshot is None or application.snapshot_checksum is None:
        return False
    return checksum(application.snapshot) == application.snapshot_checksum


def take(application: Application) -> dict[str, Any]:
    """The application as it is being sent: call with the declaration and times already set."""
    known = task_list.facts(application)
    version = known.version
    submitted_at = application.submitted_at
    declared_at = application.declared_at
    assert submitted_at is not None and declared_at is not None, "set the times first"
    return {
        "format": SNAPSHOT_FORMAT,
        "reference": application.reference,
        "organisation_id": application.organisation_id,
        "submitted_at": submitted_at.isoformat(),
        "lots": [
            {"number": al.lot.number, "title": al.lot.title}
            for al in sorted(application.lots, key=lambda al: al.lot.number)
        ],
        "questionnaire": {
            "key": version.key,
            "version": version.version,
            "checksum": version.checksum,
        },
        "profile": profile_record(known.profile),
        # The facts that decided which questions applied (from the profile).
        "context": {key: plain(value) for key, value in known.context.items()},
        "answers": questionnaire.applicable_answers(
            version, known.answers, known.lot_numbers, known.context
        ),
        "documents": [
            {
                "id": document.id,
                "kind": document.kind.value,
                "title": document.title,
                "filename": document.filename,
                "sha256": document.sha256,
                "expires_on": plain(document.expires_on),
            }
            for document in documents.current_documents(application.organisation_id)
        ],
        "declaration": {
            "name": application.declaration_name,
            "role": application.declaration_role,
            "declared_at": declared_at.isoformat(),
        },
    }


# --- reading it back ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmittedCopy:
    """What the application said, as people read it (the printable copy)."""

    snapshot: dict[str, Any]
    profile: list[ProfileRow]
    documents: list[dict[str, Any]]  # as kept, with expires_on as a date
    sections: list[ReadableSection]
    intact: bool


def submitted_copy(application: Application) -> SubmittedCopy:
    """The snapshot read back against the questionnaire version it was answered in."""
    snapshot = application.snapshot
    if snapshot is None:
        raise ValueError(f"application {application.id} has not been sent")
    lot_numbers = [lot["number"] for lot in snapshot["lots"]]
    return SubmittedCopy(
        snapshot=snapshot,
        profile=profile_rows(snapshot["profile"]),
        documents=[
            {**kept, "expires_on": date.fromisoformat(kept["expires_on"])}
            if kept.get("expires_on")
            else kept
            for kept in snapshot["documents"]
        ],
        sections=questionnaire.readable_answers(
            application.questionnaire_version,
            snapshot["answers"],
            lot_numbers,
            snapshot.get("context", {}),
        ),
        intact=is_intact(application),
    )
