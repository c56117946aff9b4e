"""Demonstration data for `make run`: the CCIN DPS, its members, a few suppliers, demo accounts.

Loading is idempotent: everything is found by its natural key (name, e-mail address, DPS
reference) before it is made, so a second load adds no row. The period is extended through the
same service an administrator uses, once. Refused under the production setting, where demo
accounts with a published password must never exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import func

from dps.demo_answers import load_demo_answers
from dps.demo_application import APPLICANT, load_demo_application
from dps.extensions import db
from dps.models.accounts import Membership, User
from dps.models.base import utcnow
from dps.models.dps import DPS, Lot, Notice
from dps.models.organisations import Organisation
from dps.rules import pcr2015
from dps.rules.enums import MembershipType, OrganisationKind, Role
from dps.services.accounts import organisations as organisations_service
from dps.services.accounts.passwords import hash_password
from dps.services.common import audit
from dps.services.dps import period as dps_service
from dps.services.suppliers import profiles
from dps.services.suppliers.questionnaire import current_version, london_today

DEMO_PASSWORD = "ccin-demo-2026"  # noqa: S105 (published on purpose: demo accounts only)
DEMO_TOTP_SECRET = "CCINDEMOCCINDEMOCCINDEMOCCINDEMO"  # noqa: S105 (printed by make run)
DPS_REFERENCE = "CCIN-DPS-2020"
EXTENSION_REASON = "demonstration data: period extended so the journeys can be tried"
POUNDS = 100  # pence in a pound: money is stored in pence

OWNER = "Oldham Council"
NETWORK = "Co-operative Councils’ Innovation Network"
FULL_MEMBERS = [
    OWNER,
    "Tameside Metropolitan Borough Council",
    "Kirklees Council",
    "Rochdale Borough Council",
    "Plymouth City Council",
    "London Borough of Croydon",
    "Newcastle City Council",
    "Oxford City Council",
    "Birmingham City Council",
    "Cardiff Council",
]
ASSOCIATE = "Burntwood Town Council"
AFFILIATE = "North West Housing Co-operatives Federation (demo)"
SUPPORTER = "Friends of Co-operative Places (demo)"
SUPPLIERS = {"Co-operative Futures Ltd": "09345678", "Capacity Works CIC": "12456789"}


class DemoDataRefused(RuntimeError):
    """Demo data is not allowed in this setting (production)."""


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    organisation: str
    role: Role
    totp_secret: str | None = None


DEMO_ACCOUNTS = [
    DemoAccount(
        "oldham.admin@example.org",
        "Oldham administrator (demo)",
        OWNER,
        Role.ADMINISTRATOR,
        DEMO_TOTP_SECRET,
    ),
    DemoAccount(
        "tameside.buyer@example.org",
        "Tameside buyer (demo)",
        "Tameside Metropolitan Borough Council",
        Role.BUYER,
    ),
    DemoAccount("burntwood.buyer@example.org", "Burntwood buyer (demo)", ASSOCIATE, Role.BUYER),
    DemoAccount(
        "affiliate.officer@example.org", "Affiliate officer (demo)", AFFILIATE, Role.VIEWER
    ),
    DemoAccount(
        "coop-futures@example.org",
        "Co-operative Futures owner (demo)",
        "Co-operative Futures Ltd",
        Role.SUPPLIER_OWNER,
    ),
    DemoAccount(
        "capacity-works@example.org",
        "Capacity Works owner (demo)",
        "Capacity Works CIC",
        Role.SUPPLIER_OWNER,
    ),
    DemoAccount(
        "coop-futures.colleague@example.org",
        "Co-operative Futures colleague (demo)",
        "Co-operative Futures Ltd",
        Role.SUPPLIER_USER,
    ),
]

# The suppliers' organisation profiles, as their owners would type them. Phone numbers are from
# Ofcom's ranges kept for drama, so they reach nobody.
SUPPLIER_PROFILES: dict[str, dict[str, Any]] = {
    "Co-operative Futures Ltd": {
        "legal_name": "Co-operative Futures Ltd",
        "trading_name": "Co-operative Futures",
        "legal_form": "company",
        "companies_house_number": SUPPLIERS["Co-operative Futures Ltd"],
        "address_line_1": "14 Yorkshire Street",
        "town": "Oldham",
        "postcode": "OL1 1SE",
        "contact_name": "Amina Shah",
        "contact_email": "coop-futures@example.org",
        "contact_phone": "0161 496 0123",
        "size": "small",
        "employees": "14",
        "is_vcse": "yes",
        "is_cooperative_or_mutual": "yes",
        "regions": ["north_west", "yorkshire_and_the_humber"],
    },
    "Capacity Works CIC": {
        "legal_name": "Capacity Works CIC",
        "legal_form": "community_interest_company",
        "companies_house_number": SUPPLIERS["Capacity Works CIC"],
        "address_line_1": "2 Market Place",
        "town": "Plymouth",
        "postcode": "PL1 1AA",
        "contact_name": "Tom Reed",
        "contact_email": "capacity-works@example.org",
        "contact_phone": "0117 496 0456",
        "size": "micro",
        "employees": "6",
        "is_vcse": "yes",
        "is_cooperative_or_mutual": "no",
        "regions": ["south_west", "wales"],
    },
}

DPS_TITLE = "CCIN Dynamic Purchasing System"
DPS_DESCRIPTION = (
    "A dynamic purchasing system run by Oldham Council for the Co-operative Councils’ "
    "Innovation Network, buying from organisations that inspire and design innovative "
    "co-operative policy and redesign public services in line with co-operative values and "
    "principles; build capacity and leave a legacy that keeps delivering after the funding "
    "moves on; and bring credibility and profile to the network’s work."
)
SEED_START, SEED_END = date(2020, 4, 1), date(2025, 3, 31)


@dataclass(frozen=True)
class LotSpec:
    number: int
    title: str
    description: str
    turnover_pounds: int
    employers_liability_pounds: int
    public_liability_pounds: int
    professional_indemnity_pounds: int


LOTS = [
    LotSpec(
        1,
        "Policy Development & Testing",
        "Designing and testing innovative co-operative policy with councils and their "
        "communities: research and evidence reviews, policy development, co-production with "
        "residents, pilots and prototypes of redesigned public services, and evaluation of what "
        "works against the network’s co-operative values and principles.",
        100_000,
        5_000_000,
        5_000_000,
        1_000_000,
    ),
    LotSpec(
        2,
        "Capacity Building",
        "Building the skills, confidence and structures that let councils, community groups and "
        "partners carry co-operative work on after the funding moves on: training, facilitation "
        "and mentoring, community organising, support for co-operatives and the social economy, "
        "and sharing learning across the network so the work gains credibility and profile.",
        50_000,
        5_000_000,
        5_000_000,
        500_000,
    ),
]


def load_demo_data() -> str:
    """Load the demonstration data; safe to run again. Returns a one-line summary."""
    if not current_app.config.get("DEMO_ACCOUNTS_ALLOWED", False):
        raise DemoDataRefused(
            "Demo data is refused with DPS_ENV=production: its accounts share a published password."
        )
    created: list[str] = []
    organisations = _load_organisations(created)
    dps = _load_dps(organisations[OWNER], created)
    _extend_period_once(dps, created)
    missing = [account for account in DEMO_ACCOUNTS if _find_user(account.email) is None]
    if missing:
        # One hash for all: they share a published password, and argon2 is slow on purpose.
        password_hash = hash_password(DEMO_PASSWORD)
        for account in missing:
            _load_account(account, organisations[account.organisation], password_hash)
            created.append(account.email)
    _load_profiles(organisations, created)
    current_version()  # the packaged questionnaire, published on the first load
    created.extend(load_demo_answers(organisations, london_today()))
    applicant = organisations[APPLICANT]
    owner = _find_user("capacity-works@example.org")
    assert owner is not None  # loaded above with the other demo accounts
    created.extend(load_demo_application(applicant, owner, london_today()))
    if not created:
        return "Demo data already loaded: nothing to add."
    return f"Demo data loaded: {len(created)} organisations, accounts, profiles and notices added."


def _find_organisation(name: str) -> Organisation | None:
    return db.session.scalars(
        db.select(Organisation).where(func.lower(Organisation.name) == name.lower())
    ).first()


def _load_organisations(created: list[str]) -> dict[str, Organisation]:
    members = dict.fromkeys(FULL_MEMBERS, MembershipType.FULL)
    members |= {
        ASSOCIATE: MembershipType.ASSOCIATE,
        AFFILIATE: MembershipType.AFFILIATE,
        SUPPORTER: MembershipType.SUPPORTER,
    }
    found: dict[str, Organisation] = {}
    for name, membership_type in members.items():
        organisation = _find_organisation(name)
        if organisation is None:
            # The same service an administrator uses, so the trail reads the same.
            organisation = organisations_service.create_member_organisation(
                name, membership_type, actor=None
            )
            created.append(name)
        found[name] = organisation
    network = _find_organisation(NETWORK)
    if network is None:
        network = organisations_service.create_network_organisation(NETWORK, actor=None)
        created.append(NETWORK)
    found[NETWORK] = network
    for name, number in SUPPLIERS.items():
        supplier = _find_organisation(name)
        if supplier is None:
            supplier = Organisation(
                name=name, kind=OrganisationKind.SUPPLIER, companies_house_number=number
            )
            db.session.add(supplier)
            db.session.flush()
            audit.record(
                "organisation.created",
                supplier,
                actor=None,
                after={"name": name, "kind": str(supplier.kind), "demo": True},
            )
            db.session.commit()
            created.append(name)
        found[name] = supplier
    return found


def _load_profiles(organisations: dict[str, Organisation], created: list[str]) -> None:
    """Each demo supplier's profile, through the service a supplier uses; only where none is
    saved yet, so a supplier's own changes survive another load."""
    for name, answers in SUPPLIER_PROFILES.items():
        organisation = organisations[name]
        if profiles.profile_for(organisation.id).id is None:
            profiles.update_profile(organisation.id, answers, actor=None)
            created.append(f"{name} profile")


def _load_dps(owner: Organisation, created: list[str]) -> DPS:
    dps = db.session.scalars(db.select(DPS).where(DPS.reference == DPS_REFERENCE)).first()
    if dps is not None:
        return dps
    dps = DPS(
        reference=DPS_REFERENCE,
        title=DPS_TITLE,
        description=DPS_DESCRIPTION,
        owner=owner,
        period_start=SEED_START,
        period_end=SEED_END,
        rule_set=pcr2015.RULE_SET_NAME,
    )
    db.session.add(dps)
    for spec in LOTS:
        db.session.add(
            Lot(
                dps=dps,
                number=spec.number,
                title=spec.title,
                description=spec.description,
                min_annual_turnover_pence=spec.turnover_pounds * POUNDS,
                min_employers_liability_pence=spec.employers_liability_pounds * POUNDS,
                min_public_liability_pence=spec.public_liability_pounds * POUNDS,
                min_professional_indemnity_pence=spec.professional_indemnity_pounds * POUNDS,
            )
        )
    db.session.flush()
    audit.record(
        "dps.created",
        dps,
        actor=None,
        after={
            "reference": DPS_REFERENCE,
            "period_start": SEED_START.isoformat(),
            "period_end": SEED_END.isoformat(),
            "lots": [spec.title for spec in LOTS],
        },
    )
    db.session.commit()
    created.append(DPS_REFERENCE)
    return dps


def _extend_period_once(dps: DPS, created: list[str]) -> None:
    """Extend the seed period to the transitional cap, once, as an administrator would."""
    changed_before = db.session.scalar(
        db.select(func.count())
        .select_from(Notice)
        .where(Notice.dps_id == dps.id, Notice.kind == "period_changed")
    )
    if changed_before:
        return  # extended already, or an administrator has set the period since
    dps_service.change_period(
        dps,
        start=dps.period_start,
        end=dps_service.transitional_cap(),
        reason=EXTENSION_REASON,
        actor=None,
    )
    created.append("period extension notice")


def _find_user(email: str) -> User | None:
    return db.session.scalars(
        db.select(User).where(func.lower(User.email) == email.lower())
    ).first()


def _load_account(account: DemoAccount, organisation: Organisation, password_hash: str) -> None:
    now = utcnow()
    user = User(
        email=account.email,
        name=account.name,
        password_hash=password_hash,
        email_confirmed_at=now,
        totp_secret=account.totp_secret,
        totp_confirmed_at=now if account.totp_secret else None,
        is_demo=True,
    )
    db.session.add(user)
    db.session.add(Membership(user=user, organisation=organisation, role=account.role))
    db.session.flush()
    audit.record(
        "user.created",
        user,
        actor=None,
        after={
            "email": account.email,
            "organisation_id": organisation.id,
            "role": str(account.role),
            "demo": True,
        },
    )
    db.session.commit()


@dataclass(frozen=True)
class DemoSignIn:
    account: DemoAccount
    loaded: bool


def demo_sign_ins() -> list[DemoSignIn]:
    """The demo accounts, each with whether it is in the database."""
    if not current_app.config.get("DEMO_ACCOUNTS_ALLOWED", False):
        raise DemoDataRefused("Demo accounts are refused with DPS_ENV=production.")
    emails = {
        email.lower()
        for email in db.session.scalars(
            db.select(User.email).where(
                User.is_demo.is_(True),
                func.lower(User.email).in_([a.email.lower() for a in DEMO_ACCOUNTS]),
            )
        )
    }
    return [DemoSignIn(account, account.email.lower() in emails) for account in DEMO_ACCOUNTS]
