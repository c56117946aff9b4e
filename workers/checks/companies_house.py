"""The Companies House check: the company exists, is active, and has the name the supplier gave.

One look-up per application (not per lot). Organisations without a Companies House number
(most co-operative and community benefit societies, charities that are not companies,
partnerships, sole traders) get "not applicable". With no API key configured the check refers
the company to a person and says why: it never passes without a look-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app

from dps.outside import companies_house
from dps.outside.companies_house import Company
from dps.rules.enums import CheckOutcome, LegalForm
from dps.rules.names import names_match
from dps.services.qualification.checks import CheckContext, CheckVerdict, register
from dps.services.suppliers import profiles

CHECK_NAME = "companies_house"

# PCR 2015 reg. 57(8)(b): insolvency is a discretionary exclusion ground, so a person decides.
INSOLVENCY = "the discretionary exclusion ground for insolvency (PCR 2015 reg. 57(8)(b))"

# Every company_status of the Companies House API (its constants.yml), with how the check
# treats it and how people read it. A status not listed here refers (``status_outcome``).
STATUSES: dict[str, tuple[CheckOutcome, str]] = {
    "active": (CheckOutcome.PASS, "active"),
    "dissolved": (CheckOutcome.FAIL, "dissolved"),
    "closed": (CheckOutcome.FAIL, "closed"),
    "converted-closed": (CheckOutcome.FAIL, "converted or closed"),
    "removed": (CheckOutcome.FAIL, "removed from the register"),
    "liquidation": (CheckOutcome.REFER, "in liquidation"),
    "receivership": (CheckOutcome.REFER, "in receivership"),
    "administration": (CheckOutcome.REFER, "in administration"),
    "insolvency-proceedings": (CheckOutcome.REFER, "subject to insolvency proceedings"),
    "voluntary-arrangement": (CheckOutcome.REFER, "in a voluntary arrangement with creditors"),
    # Statuses of other kinds of register entry (overseas entities, registered societies):
    # nothing this check can judge.
    "open": (CheckOutcome.REFER, "open"),
    "registered": (CheckOutcome.REFER, "registered"),
}
INSOLVENCY_STATUSES = frozenset(
    {"liquidation", "receivership", "administration", "insolvency-proceedings",
     "voluntary-arrangement"}
)  # fmt: skip


def status_outcome(status: str) -> tuple[CheckOutcome, str]:
    return STATUSES.get(status, (CheckOutcome.REFER, f"“{status or 'no status'}”"))


# --- the check -------------------------------------------------------------------------------


def not_applicable_because(profile: Mapping[str, Any]) -> str | None:
    """Why the check does not apply to this organisation, or None when it does."""
    if profile.get("companies_house_number") or not profile.get("legal_form"):
        return None
    legal_form = LegalForm(profile["legal_form"])
    asked = profiles.numbers_asked(legal_form)
    if legal_form == LegalForm.OTHER or asked.get("companies_house_number"):
        return None  # it should be registered, or may be: the check refers it to a person
    if "companies_house_number" in asked:
        return (
            "The organisation is a charity that gave no Companies House number, so it is not "
            "also a company: it is not on the Companies House register."
        )
    return (
        f"The organisation is a {legal_form.label.lower()}: organisations of this legal form "
        "have no Companies House number."
    )


def verdict_for(
    profile: Mapping[str, Any], client: companies_house.CompaniesHouseClient
) -> CheckVerdict:
    """The check on the profile as the application's snapshot keeps it.

    Raises ``CompaniesHouseUnavailable`` (a transient fault) to have the check tried again.
    """
    not_applicable = not_applicable_because(profile)
    if not_applicable is not None:
        return CheckVerdict(
            CheckOutcome.NOT_APPLICABLE, not_applicable, {"legal_form": profile.get("legal_form")}
        )
    number = profile.get("companies_house_number") or ""
    given_name = str(profile.get("legal_name") or "")
    evidence: dict[str, Any] = {
        "company_number": number,
        "name_given": given_name,
        "legal_form": profile.get("legal_form"),
    }
    if not number:
        return CheckVerdict(
            CheckOutcome.REFER,
            "No Companies House number was given, so the register could not be checked: "
            "check whether the organisation is registered.",
            evidence,
        )
    if not client.has_key:
        return CheckVerdict(
            CheckOutcome.REFER,
            f"Company {number} was not looked up: no Companies House API key is configured "
            "(COMPANIES_HOUSE_API_KEY). Check the company on the register by hand.",
            {**evidence, "looked_up": False},
        )
    try:
        company = client.company(number)
    except (companies_house.CompaniesHouseRefused, ValueError) as refused:
        return CheckVerdict(
            CheckOutcome.REFER,
            f"Company {number} could not be looked up ({refused}). "
            "Check the company on the register by hand.",
            {**evidence, "looked_up": False},
        )
    if company is None:
        return CheckVerdict(
            CheckOutcome.FAIL,
            f"Companies House has no company numbered {number}: the number given does not "
            "identify a registered company.",
            {**evidence, "looked_up": True, "found": False},
        )
    return _verdict_on(company, given_name, evidence)


def _verdict_on(company: Company, given_name: str, evidence: dict[str, Any]) -> CheckVerdict:
    evidence = {
        **evidence,
        "looked_up": True,
        "found": True,
        "company_status": company.status,
        "company_name": company.name,
        "company_type": company.type,
        "date_of_creation": company.date_of_creation,
        "looked_up_at": company.looked_up_at.isoformat(),
    }
    status, status_label = status_outcome(company.status)
    reasons = [f"Companies House shows company {company.number} as {status_label}."]
    if status == CheckOutcome.FAIL:
        reasons.append("A company dissolved, closed or struck off the register cannot be admitted.")
    elif company.status in INSOLVENCY_STATUSES:
        reasons.append(f"A person must decide on {INSOLVENCY}.")
    elif status == CheckOutcome.REFER:
        reasons.append("This check cannot judge that status: a person must look at it.")
    name_matches = names_match(given_name, company.name)
    evidence["name_matches"] = name_matches
    if name_matches:
        reasons.append(f"Its registered name, {company.name}, matches the name given.")
    else:
        reasons.append(
            f"Its registered name, {company.name}, differs from the name given, {given_name}: "
            "a person must confirm they are the same organisation."
        )
    outcome = status
    if status == CheckOutcome.PASS and not name_matches:
        outcome = CheckOutcome.REFER
    return CheckVerdict(outcome, " ".join(reasons), evidence)


@register(CHECK_NAME, label="Companies House registration", per_lot=False)
def check_companies_house(context: CheckContext) -> CheckVerdict:
    client = companies_house.client_from_config(current_app.config)
    return verdict_for(context.profile, client)
