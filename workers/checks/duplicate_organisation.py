"""Duplicate organisation: another supplier with the same Companies House, charity or FCA
number, or the same name once case, punctuation, spaces and "Ltd"/"Limited"/"CIC"/"PLC" are
set aside. A person decides whether it is the same body applying twice; so it refers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from dps.extensions import db
from dps.models.organisations import Organisation
from dps.models.suppliers import SupplierProfile
from dps.rules.enums import CheckOutcome, OrganisationKind
from dps.rules.names import name_key
from dps.services.qualification.checks import CheckContext, CheckVerdict, register

NUMBERS = {
    "companies_house_number": "Companies House number",
    "charity_number": "charity number",
    "fca_number": "FCA register number",
}


@register("duplicate_organisation", label="Duplicate organisation")
def duplicate_organisation(context: CheckContext) -> CheckVerdict:
    ours = context.profile
    our_names = _names(ours.get("legal_name"))
    others = db.session.execute(
        select(Organisation, SupplierProfile)
        .outerjoin(SupplierProfile, SupplierProfile.organisation_id == Organisation.id)
        .where(
            Organisation.kind == OrganisationKind.SUPPLIER,
            Organisation.id != context.organisation_id,
        )
        .order_by(Organisation.id)
    )
    matches: list[dict[str, Any]] = []
    for organisation, profile in others:
        # An organisation without a profile yet still has the number it registered with.
        theirs = {field: getattr(profile, field) if profile else None for field in NUMBERS}
        theirs["companies_house_number"] = (
            theirs["companies_house_number"] or organisation.companies_house_number
        )
        matched_on = [
            f"{label} {ours[field]}"
            for field, label in NUMBERS.items()
            if ours.get(field) and theirs[field] == ours[field]
        ]
        if our_names & _names(organisation.name, profile.legal_name if profile else None):
            matched_on.append("name")
        if matched_on:
            matches.append(
                {"organisation_id": organisation.id, "name": organisation.name, "same": matched_on}
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
