"""A small world for the documents tests: the DPS with its lots, and two rival suppliers."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from dps.extensions import db
from dps.models import DPS, Lot, Organisation, User
from dps.models.enums import MembershipType, OrganisationKind, Role
from tests.helpers import add_person, make_supplier

MILLION_POUNDS = 100_000_000  # in pence


@dataclass
class UploadedFile:
    """What the documents service reads of an upload (Werkzeug's FileStorage has the same)."""

    filename: str | None
    stream: io.BytesIO


def uploaded(filename: str | None, data: bytes) -> UploadedFile:
    return UploadedFile(filename, io.BytesIO(data))


@dataclass
class World:
    supplier: Organisation
    owner: User
    rival: Organisation
    rival_owner: User
    lot1: Lot
    lot2: Lot


def build_world() -> World:
    oldham = Organisation(
        name="Oldham Council", kind=OrganisationKind.MEMBER, membership_type=MembershipType.FULL
    )
    supplier = make_supplier("Co-operative Futures Ltd")
    rival = make_supplier("Capacity Works CIC")
    dps = DPS(
        reference="CCIN-DPS",
        title="CCIN Dynamic Purchasing System",
        description="Co-operative policy development and capacity building",
        owner=oldham,
        period_start=date(2020, 4, 1),
        period_end=date(2029, 2, 23),
    )
    # Lot 1 asks for all three covers; Lot 2 for no professional indemnity.
    lot1 = Lot(
        dps=dps,
        number=1,
        title="Policy Development & Testing",
        description="Lot 1",
        min_employers_liability_pence=5 * MILLION_POUNDS,
        min_public_liability_pence=5 * MILLION_POUNDS,
        min_professional_indemnity_pence=1 * MILLION_POUNDS,
    )
    lot2 = Lot(
        dps=dps,
        number=2,
        title="Capacity Building",
        description="Lot 2",
        min_employers_liability_pence=5 * MILLION_POUNDS,
        min_public_liability_pence=2 * MILLION_POUNDS,
        min_professional_indemnity_pence=0,
    )
    db.session.add_all([oldham, dps, lot1, lot2])
    owner = add_person(supplier, "owner@coop-futures.example.org", Role.SUPPLIER_OWNER)
    rival_owner = add_person(rival, "owner@capacity-works.example.org", Role.SUPPLIER_OWNER)
    return World(supplier, owner, rival, rival_owner, lot1, lot2)
