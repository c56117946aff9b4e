"""Duplicate organisation: another supplier with the same Companies House, charity or FCA
number, or the same name once case, punctuation, spaces and "Ltd"/"Limited"/"CIC"/"PLC" are
set aside. A person decides whether it is the same body applying twice; so it refers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from dps.rules.checks.verdict import CheckVerdict
from dps.rules.enums import CheckOutcome
from dps.rules.names import name_key

NUMBERS = {
    "companies_house_number": "Companies House number",
    "charity_number": "charity number",
    "fca_number": "FCA register number",
}


def duplicate_organisation(
    ours: Mapping[str, Any], others: Iterable[Mapping[str, Any]]
) -> CheckVerdict:
    """``ours``: the profile sent. ``others``: every other supplier organisation, each with
    ``organisation_id``, ``name`` (as registered), ``legal_name`` (its profile's, if any) and
    the numbers of ``NUMBERS`` it has."""
    our_names = _names(ours.get("legal_name"))
    matches: list[dict[str, Any]] = []
    for theirs in others:
        matched_on = [
            f"{label} {ours[field]}"
            for field, label in NUMBERS.items()
            if ours.get(field) and theirs.get(field) == ours[field]
        ]
        if our_names & _names(theirs.get("name"), theirs.get("legal_name")):
            matched_on.append("name")
        if matched_on:
            matches.append(
                {
                    "organisation_id": theirs["organisation_id"],
                    "name": theirs.get("name"),
                    "same": matched_on,
                }
            )
    evidence = {
        "compared": {field: ours.get(field) for field in NUMBERS}
        | {"name": ours.get("legal_name")},
        "matches": matches,
    }
    if not matches:
        return CheckVerdict(
            CheckOutcome.PASS,
            "No other organisation has the same name or registered numbers.",
            evidence,
        )
    return CheckVerdict(
        CheckOutcome.REFER,
        " ".join(_sentence(match) for match in matches)
        + " Check whether they are the same organisation.",
        evidence,
    )


def _names(*names: str | None) -> set[str]:
    return {normalised for name in names if name and (normalised := name_key(name))}


def _sentence(match: Mapping[str, Any]) -> str:
    same = match["same"]
    what = " and ".join(["the same name" if s == "name" else f"the same {s}" for s in same])
    return f"{match['name']} (organisation {match['organisation_id']}) has {what}."
