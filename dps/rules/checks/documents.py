"""Documents: every document the lots ask for present and in date, and every file sent still
the file that was uploaded — its stored bytes hash to the SHA-256 recorded in the snapshot."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from dps.rules.checks.verdict import CheckVerdict
from dps.rules.enums import CheckOutcome, DocumentKind
from dps.rules.timefmt import format_date


def documents(
    required: Sequence[DocumentKind],
    sent: Sequence[Mapping[str, Any]],
    intact: Mapping[int, bool | None],
    today: date,
) -> CheckVerdict:
    """``sent``: the documents the snapshot lists. ``intact``: for each by id, whether its
    stored bytes are still the ones sent (None when it is no longer on record)."""
    problems: list[str] = []
    kinds_sent = {document.get("kind") for document in sent}
    missing = [kind for kind in required if kind.value not in kinds_sent]
    problems += [f"No {_lower_first(kind.label)} was sent." for kind in missing]
    expired = [
        document
        for document in sent
        if DocumentKind(document["kind"]) in required and _expired(document, today)
    ]
    problems += [
        f"{document['title']} expired on {format_date(date.fromisoformat(document['expires_on']))}."
        for document in expired
    ]
    checked = [_checked(document, intact.get(document["id"])) for document in sent]
    problems += [found["problem"] for found in checked if found["problem"]]
    evidence = {
        "required": [kind.value for kind in required],
        "missing": [kind.value for kind in missing],
        "expired": [document["id"] for document in expired],
        "documents": checked,
    }
    if problems:
        return CheckVerdict(CheckOutcome.FAIL, " ".join(problems), evidence)
    return CheckVerdict(
        CheckOutcome.PASS,
        f"All {len(required)} documents asked for were sent and are in date, and every file "
        "still matches the checksum taken when it was uploaded.",
        evidence,
    )


def _checked(sent: Mapping[str, Any], intact: bool | None) -> dict[str, Any]:
    """One document sent: is it still stored, and are its bytes the ones that were sent?"""
    found: dict[str, Any] = {"id": sent["id"], "kind": sent["kind"], "sha256": sent["sha256"]}
    title = sent.get("title") or sent["kind"]
    if intact is None:
        return found | {"matches": False, "problem": f"{title} is no longer on record."}
    if not intact:
        return found | {
            "matches": False,
            "problem": f"{title} ({sent['filename']}) no longer matches its SHA-256 checksum: "
            "the stored file has changed or is missing.",
        }
    return found | {"matches": True, "problem": None}


def _expired(document: Mapping[str, Any], today: date) -> bool:
    expires_on = document.get("expires_on")
    return expires_on is not None and date.fromisoformat(expires_on) <= today


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
