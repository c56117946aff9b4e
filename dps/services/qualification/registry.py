"""The qualification checks known (DESIGN §5): their names, labels, order and scope, and for
each what it gathers (the database, the document store, Companies House) before its pure verdict.

A check is a function of a ``CheckContext`` (the snapshot that was sent, and the lot where the
check depends on one) returning a ``CheckVerdict`` from ``dps.rules.checks``. Every check is
listed here, in reading order; ``register`` adds one more (a test's, say).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from dps.extensions import db
from dps.models.dps import Lot
from dps.models.organisations import Organisation
from dps.models.questionnaire import QuestionnaireVersion
from dps.models.suppliers import SupplierProfile
from dps.outside import companies_house as register_client
from dps.rules.calendar import london_date
from dps.rules.checks import companies_house as companies_house_rules
from dps.rules.checks import completeness as completeness_rules
from dps.rules.checks import duplicate_organisation as duplicate_rules
from dps.rules.checks.discretionary_exclusions import discretionary_exclusions
from dps.rules.checks.documents import documents as documents_verdict
from dps.rules.checks.financial_standing import financial_standing
from dps.rules.checks.insurance import insurance
from dps.rules.checks.mandatory_exclusions import mandatory_exclusions
from dps.rules.checks.verdict import CheckVerdict
from dps.rules.enums import LegalForm, OrganisationKind
from dps.services.suppliers import documents, profiles, questionnaire

WHOLE_APPLICATION = "all"


class TransientCheckError(Exception):
    """A fault that may pass (a service down or busy): the check is tried again later, no
    sooner than ``retry_after`` seconds when the service said so."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class CheckContext:
    """What a check may look at: the snapshot as sent, and the lot for a check made per lot."""

    run_id: int
    organisation_id: int
    snapshot: Mapping[str, Any]
    lot: Lot | None
    today: date  # London's date when the check runs: certificates must be in date on it
    application_id: int | None = None
    renewal_id: int | None = None

    @property
    def answers(self) -> Mapping[str, Any]:
        answers: Mapping[str, Any] = self.snapshot.get("answers") or {}
        return answers

    @property
    def profile(self) -> Mapping[str, Any]:
        profile: Mapping[str, Any] = self.snapshot.get("profile") or {}
        return profile

    @property
    def facts(self) -> Mapping[str, Any]:
        """The facts about the organisation that decided which questions applied."""
        facts: Mapping[str, Any] = self.snapshot.get("context") or {}
        return facts

    @property
    def documents(self) -> list[Mapping[str, Any]]:
        return list(self.snapshot.get("documents") or [])

    @property
    def lot_numbers(self) -> list[int]:
        return sorted(lot["number"] for lot in self.snapshot.get("lots") or [])

    @property
    def sent_on(self) -> date:
        """London's date when the snapshot was sent (today for one without a time)."""
        sent = self.snapshot.get("submitted_at")
        return london_date(datetime.fromisoformat(sent)) if sent else self.today


CheckFunction = Callable[[CheckContext], CheckVerdict]


@dataclass(frozen=True)
class Check:
    name: str
    label: str
    per_lot: bool
    function: CheckFunction


def _the_lot(context: CheckContext) -> Lot:
    assert context.lot is not None, "a check made per lot runs with its lot"
    return context.lot


# --- what each check gathers -----------------------------------------------------------------


def check_completeness(context: CheckContext) -> CheckVerdict:
    lot = _the_lot(context)
    kept = context.snapshot.get("questionnaire") or {}
    version = db.session.scalar(
        select(QuestionnaireVersion).where(
            QuestionnaireVersion.key == kept.get("key"),
            QuestionnaireVersion.checksum == kept.get("checksum"),
        )
    )
    if version is None:
        return completeness_rules.questionnaire_not_on_record(kept)
    gaps = questionnaire.gaps(
        version, context.answers, [lot.number], context.facts, today=context.sent_on
    )
    return completeness_rules.completeness(
        lot.number,
        kept,
        [completeness_rules.Gap(gap.section_title, gap.question_id, gap.message) for gap in gaps],
    )


def check_mandatory_exclusions(context: CheckContext) -> CheckVerdict:
    return mandatory_exclusions(context.answers)


def check_discretionary_exclusions(context: CheckContext) -> CheckVerdict:
    return discretionary_exclusions(context.answers)


def check_companies_house(context: CheckContext) -> CheckVerdict:
    client = register_client.client_from_config(current_app.config)
    return companies_house_verdict(context.profile, client)


def companies_house_verdict(
    profile: Mapping[str, Any], client: register_client.CompaniesHouseClient
) -> CheckVerdict:
    """The check on the profile as the snapshot keeps it, looking the company up if need be.

    A fault at Companies House that may pass raises ``TransientCheckError``, to try again later.
    """
    asked = profiles.numbers_asked(_legal_form(profile.get("legal_form")))
    settled = companies_house_rules.before_look_up(profile, asked, has_key=client.has_key)
    if settled is not None:
        return settled
    try:
        company = client.company(str(profile.get("companies_house_number")))
    except (register_client.CompaniesHouseRefused, ValueError) as refused:
        return companies_house_rules.refused(profile, str(refused))
    except register_client.CompaniesHouseUnavailable as unavailable:
        raise TransientCheckError(str(unavailable), unavailable.retry_after) from unavailable
    return companies_house_rules.on_register(profile, company.as_profile() if company else None)


def _legal_form(value: Any) -> LegalForm | None:
    try:
        return LegalForm(value) if value else None
    except ValueError:
        return None  # the rules say so when they need it


def check_insurance(context: CheckContext) -> CheckVerdict:
    lot = _the_lot(context)
    minimums = {
        kind: int(getattr(lot, column)) for kind, column in documents.LOT_MINIMUM_COVER.items()
    }
    return insurance(
        context.answers,
        context.facts,
        context.documents,
        lot_number=lot.number,
        minimums=minimums,
        today=context.today,
    )


def check_financial_standing(context: CheckContext) -> CheckVerdict:
    lot = _the_lot(context)
    return financial_standing(context.answers, lot.number, lot.min_annual_turnover_pence)


def check_duplicate_organisation(context: CheckContext) -> CheckVerdict:
    others = db.session.execute(
        select(Organisation, SupplierProfile)
        .outerjoin(SupplierProfile, SupplierProfile.organisation_id == Organisation.id)
        .where(
            Organisation.kind == OrganisationKind.SUPPLIER,
            Organisation.id != context.organisation_id,
        )
        .order_by(Organisation.id)
    )
    found: list[dict[str, Any]] = []
    for organisation, profile in others:
        theirs = {
            field: getattr(profile, field) if profile else None for field in duplicate_rules.NUMBERS
        }
        # An organisation without a profile yet still has the number it registered with.
        theirs["companies_house_number"] = (
            theirs["companies_house_number"] or organisation.companies_house_number
        )
        found.append(
            theirs
            | {
                "organisation_id": organisation.id,
                "name": organisation.name,
                "legal_name": profile.legal_name if profile else None,
            }
        )
    return duplicate_rules.duplicate_organisation(context.profile, found)


def check_documents(context: CheckContext) -> CheckVerdict:
    required = documents.required_kinds(context.answers, context.lot_numbers, context.facts)
    sent = context.documents
    intact = {document["id"]: _intact(context.organisation_id, document) for document in sent}
    return documents_verdict(required, sent, intact, context.today)


def _intact(organisation_id: int, sent: Mapping[str, Any]) -> bool | None:
    """Whether the stored file is still the one sent; None when it is no longer on record."""
    stored = documents.get_document(sent["id"], organisation_id)
    if stored is None:
        return None
    try:
        return stored.sha256 == sent["sha256"] and documents.verify_checksum(stored)
    except OSError as error:  # the store cannot be read just now: try again later
        raise TransientCheckError(f"The document store could not be read: {error}") from error


# --- the checks known, in reading order -------------------------------------------------------

CHECKS: dict[str, Check] = {
    check.name: check
    for check in (
        Check("completeness", "Questionnaire complete", True, check_completeness),
        Check(
            "mandatory_exclusions", "Mandatory exclusion grounds", False, check_mandatory_exclusions
        ),
        Check(
            "discretionary_exclusions",
            "Discretionary exclusion grounds",
            False,
            check_discretionary_exclusions,
        ),
        Check("companies_house", "Companies House registration", False, check_companies_house),
        Check("insurance", "Insurance", True, check_insurance),
        Check(
            "financial_standing", "Economic and financial standing", True, check_financial_standing
        ),
        Check(
            "duplicate_organisation", "Duplicate organisation", False, check_duplicate_organisation
        ),
        Check("documents", "Documents", False, check_documents),
    )
}
# The order a person reads the checks in; a check added later comes after these.
ORDER = tuple(CHECKS)


def register(
    name: str, *, label: str, per_lot: bool = False
) -> Callable[[CheckFunction], CheckFunction]:
    """Add the decorated function to the checks as ``name`` (made once per lot if ``per_lot``)."""

    def add(function: CheckFunction) -> CheckFunction:
        CHECKS[name] = Check(name, label, per_lot, function)
        return function

    return add


def registered() -> list[Check]:
    """Every check, in reading order."""
    return sorted(CHECKS.values(), key=lambda check: position(check.name))


def position(name: str) -> tuple[int, str]:
    return (ORDER.index(name) if name in ORDER else len(ORDER), name)


def label_of(name: str) -> str:
    check = CHECKS.get(name)
    return check.label if check else name.replace("_", " ").capitalize()


def scope_of(lot: Lot | None) -> str:
    return WHOLE_APPLICATION if lot is None else f"lot-{lot.id}"
