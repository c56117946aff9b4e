"""Insurance, per lot: each cover the lot asks for at least its minimum, and in date.

Both the answer (amount and expiry date) and the certificate uploaded for that cover count:
the certificate's expiry date, like the answer's, must be after today. Employer's liability
is not asked of an organisation with no employees (the law does not require it of them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from dps.rules.checks.verdict import CheckVerdict
from dps.rules.enums import CheckOutcome, DocumentKind
from dps.rules.timefmt import format_date, format_pence


@dataclass(frozen=True)
class Cover:
    kind: DocumentKind
    name: str  # as a sentence reads it

    @property
    def answer_prefix(self) -> str:
        return self.kind.value  # the questionnaire's <kind>_cover and <kind>_expiry


COVERS = (
    Cover(DocumentKind.EMPLOYERS_LIABILITY, "employer’s liability"),
    Cover(DocumentKind.PUBLIC_LIABILITY, "public liability"),
    Cover(DocumentKind.PROFESSIONAL_INDEMNITY, "professional indemnity"),
)


def insurance(
    answers: Mapping[str, Any],
    facts: Mapping[str, Any],
    documents: Sequence[Mapping[str, Any]],
    *,
    lot_number: int,
    minimums: Mapping[DocumentKind, int],
    today: date,
) -> CheckVerdict:
    """``minimums``: the lot's minimum cover in pence for each kind of insurance."""
    no_employees = not (facts.get("employees") or 0) > 0
    covers: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for cover in COVERS:
        minimum = minimums.get(cover.kind, 0)
        if minimum <= 0:
            continue
        if cover.kind == DocumentKind.EMPLOYERS_LIABILITY and no_employees:
            covers[cover.answer_prefix] = {"minimum_pence": minimum, "applies": False}
            continue
        found, problem = _cover(answers, documents, lot_number, cover, minimum, today)
        covers[cover.answer_prefix] = found
        if problem:
            problems.append(problem)
    evidence = {"lot": lot_number, "today": today.isoformat(), "covers": covers}
    asked = [name for name, found in covers.items() if found.get("applies", True)]
    if not asked:
        reason = (
            f"Lot {lot_number} asks only for employer’s liability insurance, and the "
            "organisation has no employees."
            if covers
            else f"Lot {lot_number} sets no minimum insurance."
        )
        return CheckVerdict(CheckOutcome.NOT_APPLICABLE, reason, evidence)
    if problems:
        return CheckVerdict(CheckOutcome.FAIL, " ".join(problems), evidence)
    return CheckVerdict(
        CheckOutcome.PASS,
        f"Every cover Lot {lot_number} asks for meets its minimum and is in date.",
        evidence,
    )


def _cover(
    answers: Mapping[str, Any],
    documents: Sequence[Mapping[str, Any]],
    lot_number: int,
    cover: Cover,
    minimum: int,
    today: date,
) -> tuple[dict[str, Any], str]:
    """What was sent about one cover, and what is wrong with it ("" if nothing)."""
    amount = answers.get(f"{cover.answer_prefix}_cover")
    expiry = _date(answers.get(f"{cover.answer_prefix}_expiry"))
    certificate = _latest_certificate(documents, cover.kind)
    found = {
        "cover_pence": amount,
        "minimum_pence": minimum,
        "expires_on": expiry.isoformat() if expiry else None,
        "certificate_id": certificate[0] if certificate else None,
        "certificate_expires_on": certificate[1].isoformat() if certificate else None,
    }
    name = cover.name.capitalize()
    wrong: list[str] = []
    if not isinstance(amount, int):
        wrong.append(f"{name} insurance: no amount of cover was sent.")
    elif amount < minimum:
        wrong.append(
            f"{name} cover of {format_pence(amount)} is below Lot {lot_number}’s minimum of "
            f"{format_pence(minimum)}."
        )
    if expiry is None:
        wrong.append(f"{name} insurance: no expiry date was sent.")
    elif expiry <= today:
        wrong.append(f"{name} insurance expired on {format_date(expiry)}.")
    if certificate is None:
        wrong.append(f"No {cover.name} insurance certificate was uploaded.")
    elif certificate[1] <= today:
        wrong.append(
            f"The {cover.name} insurance certificate expired on {format_date(certificate[1])}."
        )
    return found, " ".join(wrong)


def _latest_certificate(
    documents: Sequence[Mapping[str, Any]], kind: DocumentKind
) -> tuple[int, date] | None:
    dated = [
        (document["id"], expires)
        for document in documents
        if document.get("kind") == kind.value
        and (expires := _date(document.get("expires_on"))) is not None
    ]
    return max(dated, key=lambda pair: pair[1]) if dated else None


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None
