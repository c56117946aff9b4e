"""Demonstration data for `make run`: the CCIN DPS, its members, a few suppliers, demo accounts.

Loading is idempotent: everything is found by its natural key (name, email address, DPS
reference) before it is made, so a second load adds no row. The period is extended through the
same service an administrator uses, once. Refused under the production setting, where demo
accounts with a published password must never exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func

from dps.demo.admissions import load_demo_admissions
from dps.demo.answers import load_demo_answers
from dps.demo.application import APPLICANT, load_demo_application
from dps.demo.calloffs import load_demo_calloffs
from dps.demo.data import (
    AFFILIATE,
    ASSOCIATE,
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    DPS_DESCRIPTION,
    DPS_REFERENCE,
    DPS_TITLE,
    EXTENSION_REASON,
    FULL_MEMBERS,
    LOTS,
    NETWORK,
    OWNER,
    SEED_END,
    SEED_START,
    SUPPLIER_PROFILES,
    SUPPLIERS,
    SUPPORTER,
    DemoAccount,
)
from dps.extensions import db
from dps.models.accounts import User
from dps.models.base import utcnow
from dps.models.dps import DPS, Notice
from dps.models.organisations import Organisation
from dps.rules.enums import MembershipType
from dps.services.accounts import organisations as organisations_service
from dps.services.accounts import users
from dps.services.accounts.passwords import hash_password
from dps.services.dps import period as dps_service
from dps.services.dps import setup
from dps.services.suppliers import profiles
from dps.services.suppliers.questionnaire import current_version, london_today


class DemoDataRefused(RuntimeError):
    """Demo data is not allowed in this setting (production)."""


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
    missing = [account for account in DEMO_ACCOUNTS if users.find_by_email(account.email) is None]
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
    owner = users.find_by_email("capacity-works@example.org")
    assert owner is not None  # loaded above with the other demo accounts
    created.extend(load_demo_application(applicant, owner, london_today()))
    administrator = users.find_by_email("oldham.admin@example.org")
    assert administrator is not None
    created.extend(load_demo_admissions(organisations, administrator, london_today()))
    created.extend(load_demo_calloffs(organisations, utcnow()))
    if not created:
        return "Demo data already loaded: nothing to add."
    return (
        f"Demo data loaded: {len(created)} organisations, accounts, profiles, notices and "
        "call-offs added."
    )


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
            supplier = organisations_service.create_supplier_organisation(
                name, companies_house_number=number, actor=None
            )
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
    dps = setup.find_dps(DPS_REFERENCE)
    if dps is not None:
        return dps
    dps = setup.create_dps(
        reference=DPS_REFERENCE,
        title=DPS_TITLE,
        description=DPS_DESCRIPTION,
        owner=owner,
        start=SEED_START,
        end=SEED_END,
        lots=LOTS,
        actor=None,
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


def _load_account(account: DemoAccount, organisation: Organisation, password_hash: str) -> None:
    users.add_account(
        email=account.email,
        name=account.name,
        organisation=organisation,
        role=account.role,
        password_hash=password_hash,
        confirmed_at=utcnow(),
        totp_secret=account.totp_secret,
        is_demo=True,
        actor=None,
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
