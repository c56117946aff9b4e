"""The Companies House check: the company exists, is active, and has the name the supplier gave.

One look-up per application (not per lot). Organisations without a Companies House number
(most co-operative and community benefit societies, charities that are not companies,
partnerships, sole traders) get "not applicable". With no API key configured the check refers
the company to a person and says why: it never passes without a look-up.

The verdict comes in two steps: ``before_look_up`` decides what needs no look-up (or None when
the register must be asked); then ``refused`` or ``on_register`` judge the register's answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dps.rules.checks.verdict import CheckVerdict
from dps.rules.enums import CheckOutcome, LegalForm
from dps.rules.names import names_match

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


def not_applicable_because(
    profile: Mapping[str, Any], numbers_asked: Mapping[str, bool]
) -> str | None:
    """Why the check does not apply to this organisation, or None when it does.

    ``numbers_asked``: the registration numbers asked of the profile's legal form, each with
    whether it is required.
    """
    if profile.get("companies_house_number") or not profile.get("legal_form"):
        return None
    legal_form = LegalForm(profile["legal_form"])
    if legal_form == LegalForm.OTHER or numbers_asked.get("companies_house_number"):
        return None  # it should be registered, or may be: the check refers it to a person
    if "companies_house_number" in numbers_asked:
        return (
            "The organisation is a charity that gave no Companies House number, so it is not "
            "also a company: it is not on the Companies House register."
        )
    return (
        f"The organisation is a {legal_form.label.lower()}: organisations of this legal form "
        "have no Companies House number."
    )


def evidence_given(profile: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "company_number": profile.get("companies_house_number") or "",
        "name_given": str(profile.get("legal_name") or ""),
        "legal_form": profile.get("legal_form"),
    }


def before_look_up(
    profile: Mapping[str, Any], numbers_asked: Mapping[str, bool], *, has_key: bool
) -> CheckVerdict | None:
    """The verdict reached without asking the register, or None when it must be asked."""
    not_applicable = not_applicable_because(profile, numbers_asked)
    if not_applicable is not None:
        return CheckVerdict(
            CheckOutcome.NOT_APPLICABLE, not_applicable, {"legal_form": profile.get("legal_form")}
        )
    evidence = evidence_given(profile)
    number = evidence["company_number"]
    if not number:
        return CheckVerdict(
            CheckOutcome.REFER,
            "No Companies House number was given, so the register could not be checked: "
            "check whether the organisation is registered.",
            evidence,
        )
    if not has_key:
        return CheckVerdict(
            CheckOutcome.REFER,
            f"Company {number} was not looked up: no Companies House API key is configured "
            "(COMPANIES_HOUSE_API_KEY). Check the company on the register by hand.",
            {**evidence, "looked_up": False},
        )
    return None


def refused(profile: Mapping[str, Any], why: str) -> CheckVerdict:
    """The register refused the look-up (or the number cannot be one): a person looks."""
    evidence = evidence_given(profile)
    return CheckVerdict(
        CheckOutcome.REFER,
        f"Company {evidence['company_number']} could not be looked up ({why}). "
        "Check the company on the register by hand.",
        {**evidence, "looked_up": False},
    )


def on_register(profile: Mapping[str, Any], company: Mapping[str, Any] | None) -> CheckVerdict:
    """The verdict on the register's company profile (None: the register has no such company).

    ``company`` has the register's ``company_number``, ``company_name``, ``company_status``,
    ``type`` and ``date_of_creation``, and ``looked_up_at`` (ISO 8601).
    """
    evidence = evidence_given(profile)
    number = evidence["company_number"]
    if company is None:
        return CheckVerdict(
            CheckOutcome.FAIL,
            f"Companies House has no company numbered {number}: the number given does not "
            "identify a registered company.",
            {**evidence, "looked_up": True, "found": False},
        )
    status_code = str(company.get("company_status") or "")
    name = str(company.get("company_name") or "")
    evidence = {
        **evidence,
        "looked_up": True,
        "found": True,
        "company_status": status_code,
        "company_name": name,
        "company_type": company.get("type"),
        "date_of_creation": company.get("date_of_creation"),
        "looked_up_at": company.get("looked_up_at"),
    }
    status, status_label = status_outcome(status_code)
    reasons = [
        f"Companies House shows company {company.get('company_number') or number} "
        f"as {status_label}."
    ]
    if status == CheckOutcome.FAIL:
        reasons.append("A company dissolved, closed or struck off the register cannot be admitted.")
    elif status_code in INSOLVENCY_STATUSES:
        reasons.append(f"A person must decide on {INSOLVENCY}.")
    elif status == CheckOutcome.REFER:
        reasons.append("This check cannot judge that status: a person must look at it.")
    given_name = evidence["name_given"]
    name_matches = names_match(given_name, name)
    evidence["name_matches"] = name_matches
    if name_matches:
        reasons.append(f"Its registered name, {name}, matches the name given.")
    else:
        reasons.append(
            f"Its registered name, {name}, differs from the name given, {given_name}: "
            "a person must confirm they are the same organisation."
        )
    outcome = status
    if status == CheckOutcome.PASS and not name_matches:
        outcome = CheckOutcome.REFER
    return CheckVerdict(outcome, " ".join(reasons), evidence)
