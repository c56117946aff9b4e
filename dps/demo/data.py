"""The demonstration data itself: the network's members, the demo accounts, the suppliers'
profiles, the DPS and its lots, as `make run` loads them (``dps.demo``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from dps.rules.enums import Role
from dps.services.dps.setup import LotTerms

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
# Admitted to both lots (through applications an administrator decides), so buyers find a pool.
ADMITTED_SUPPLIERS = {
    "Northern Co-operative Consultancy CIC": "13579246",
    "Community Catalyst CIC": "11223344",
    "Participation Partners CIC": "10293847",
}
SUPPLIERS = {
    "Co-operative Futures Ltd": "09345678",
    "Capacity Works CIC": "12456789",
    **ADMITTED_SUPPLIERS,
}


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
    # The second member of the demo call-offs' evaluation panels (the buyer above leads).
    DemoAccount(
        "tameside.evaluator@example.org",
        "Tameside evaluator (demo)",
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
    DemoAccount(
        "northern-coop@example.org",
        "Northern Co-operative Consultancy owner (demo)",
        "Northern Co-operative Consultancy CIC",
        Role.SUPPLIER_OWNER,
    ),
    DemoAccount(
        "community-catalyst@example.org",
        "Community Catalyst owner (demo)",
        "Community Catalyst CIC",
        Role.SUPPLIER_OWNER,
    ),
    DemoAccount(
        "participation-partners@example.org",
        "Participation Partners owner (demo)",
        "Participation Partners CIC",
        Role.SUPPLIER_OWNER,
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
    "Northern Co-operative Consultancy CIC": {
        "legal_name": "Northern Co-operative Consultancy CIC",
        "legal_form": "community_interest_company",
        "companies_house_number": "13579246",
        "address_line_1": "1 High Street",
        "town": "Leeds",
        "postcode": "LS1 1UR",
        "contact_name": "Priya Kaur",
        "contact_email": "northern-coop@example.org",
        "contact_phone": "0113 496 0789",
        "size": "small",
        "employees": "14",
        "is_vcse": "yes",
        "is_cooperative_or_mutual": "yes",
        "regions": ["yorkshire_and_the_humber", "north_east"],
    },
    "Community Catalyst CIC": {
        "legal_name": "Community Catalyst CIC",
        "legal_form": "community_interest_company",
        "companies_house_number": "11223344",
        "address_line_1": "1 High Street",
        "town": "Manchester",
        "postcode": "M1 1AD",
        "contact_name": "Joe Bloggs",
        "contact_email": "community-catalyst@example.org",
        "contact_phone": "0161 496 0555",
        "size": "micro",
        "employees": "14",
        "is_vcse": "yes",
        "is_cooperative_or_mutual": "no",
        "regions": ["north_west"],
    },
    "Participation Partners CIC": {
        "legal_name": "Participation Partners CIC",
        "legal_form": "community_interest_company",
        "companies_house_number": "10293847",
        "address_line_1": "1 High Street",
        "town": "Cardiff",
        "postcode": "CF10 1EP",
        "contact_name": "Rhian Evans",
        "contact_email": "participation-partners@example.org",
        "contact_phone": "029 2018 0123",
        "size": "small",
        "employees": "14",
        "is_vcse": "no",
        "is_cooperative_or_mutual": "yes",
        "regions": ["wales", "south_west"],
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


LOTS = [
    LotTerms(
        1,
        "Policy Development & Testing",
        "Designing and testing innovative co-operative policy with councils and their "
        "communities: research and evidence reviews, policy development, co-production with "
        "residents, pilots and prototypes of redesigned public services, and evaluation of what "
        "works against the network’s co-operative values and principles.",
        100_000 * POUNDS,
        5_000_000 * POUNDS,
        5_000_000 * POUNDS,
        1_000_000 * POUNDS,
    ),
    LotTerms(
        2,
        "Capacity Building",
        "Building the skills, confidence and structures that let councils, community groups and "
        "partners carry co-operative work on after the funding moves on: training, facilitation "
        "and mentoring, community organising, support for co-operatives and the social economy, "
        "and sharing learning across the network so the work gains credibility and profile.",
        50_000 * POUNDS,
        5_000_000 * POUNDS,
        5_000_000 * POUNDS,
        500_000 * POUNDS,
    ),
]
