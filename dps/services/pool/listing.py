"""A lot's pool as buyers read it: every supplier admitted to the lot and not suspended, with
its size, VCSE and co-operative status, the regions it serves and the date it was admitted.

``admitted_suppliers`` draws the page in one query however many suppliers there are (the
admission, its organisation and its profile are joined, never loaded one by one); the filters
(size, VCSE, co-operative, region) narrow it, and ``as_csv`` writes exactly the rows shown,
safe to open in a spreadsheet.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from dps.extensions import db
from dps.models.admissions import Admission
from dps.models.dps import Lot
from dps.models.organisations import Organisation
from dps.models.suppliers import SupplierProfile
from dps.rules.enums import AdmissionStatus, OrganisationSize
from dps.rules.profile_values import ANYWHERE, REGIONS
from dps.rules.timefmt import format_date
from dps.services.dps import period as dps_service

SIZE_LABELS: dict[OrganisationSize, str] = {
    OrganisationSize.MICRO: "Micro",
    OrganisationSize.SMALL: "Small",
    OrganisationSize.MEDIUM: "Medium",
    OrganisationSize.LARGE: "Large",
}
# A cell a spreadsheet would read as a formula starts with one of these (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_HEADER = (
    "Supplier",
    "Size",
    "VCSE",
    "Co-operative or mutual",
    "Regions served",
    "Date admitted",
)


@dataclass(frozen=True)
class PoolFilters:
    """What a buyer narrowed the pool to; empty means everyone."""

    sizes: frozenset[OrganisationSize] = frozenset()
    vcse_only: bool = False
    cooperative_only: bool = False
    regions: frozenset[str] = frozenset()

    @property
    def any(self) -> bool:
        return bool(self.sizes or self.vcse_only or self.cooperative_only or self.regions)

    def describe(self) -> list[str]:
        """Each filter in words, in the order of the form."""
        parts = []
        if self.sizes:
            sizes = [SIZE_LABELS[size].lower() for size in OrganisationSize if size in self.sizes]
            parts.append("size: " + _or(sizes))
        if self.vcse_only:
            parts.append("VCSE")
        if self.cooperative_only:
            parts.append("co-operative or mutual")
        if self.regions:
            parts.append("serving " + _or([REGIONS[key] for key in REGIONS if key in self.regions]))
        return parts


def _or(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


@dataclass(frozen=True)
class PoolRow:
    organisation_id: int
    name: str
    size: OrganisationSize | None
    is_vcse: bool | None
    is_cooperative: bool | None
    regions: tuple[str, ...]  # region keys, in the order of REGIONS
    admitted_at: datetime

    @property
    def size_label(self) -> str:
        return SIZE_LABELS[self.size] if self.size else "Not given"

    @property
    def vcse_label(self) -> str:
        return _yes_no(self.is_vcse)

    @property
    def cooperative_label(self) -> str:
        return _yes_no(self.is_cooperative)

    @property
    def region_labels(self) -> list[str]:
        return [REGIONS[key] for key in self.regions]

    def serves(self, regions: frozenset[str]) -> bool:
        """A supplier serving anywhere in the UK serves every region."""
        return ANYWHERE in self.regions or bool(regions & set(self.regions))


def _yes_no(value: bool | None) -> str:
    return "Not given" if value is None else ("Yes" if value else "No")


def admitted_suppliers(lot_id: int, filters: PoolFilters | None = None) -> list[PoolRow]:
    """The suppliers admitted to the lot and not suspended, by name, narrowed by ``filters``.

    One query; the region filter is applied to the rows it returns, as regions are kept as a
    list (JSON) that SQLite and PostgreSQL search differently.
    """
    filters = filters or PoolFilters()
    query = (
        select(
            Organisation.id,
            Organisation.name,
            SupplierProfile.size,
            SupplierProfile.is_vcse,
            SupplierProfile.is_cooperative_or_mutual,
            SupplierProfile.regions,
            Admission.admitted_at,
        )
        .join(Organisation, Organisation.id == Admission.organisation_id)
        .outerjoin(SupplierProfile, SupplierProfile.organisation_id == Organisation.id)
        .where(Admission.lot_id == lot_id, Admission.status == AdmissionStatus.ADMITTED)
        .order_by(func.lower(Organisation.name), Organisation.id)
    )
    if filters.sizes:
        query = query.where(SupplierProfile.size.in_(filters.sizes))
    if filters.vcse_only:
        query = query.where(SupplierProfile.is_vcse.is_(True))
    if filters.cooperative_only:
        query = query.where(SupplierProfile.is_cooperative_or_mutual.is_(True))
    rows = [
        PoolRow(
            organisation_id=org_id,
            name=name,
            size=size,
            is_vcse=vcse,
            is_cooperative=coop,
            regions=tuple(key for key in REGIONS if key in (regions or [])),
            admitted_at=admitted_at,
        )
        for org_id, name, size, vcse, coop, regions, admitted_at in db.session.execute(query)
    ]
    if filters.regions:
        rows = [row for row in rows if row.serves(filters.regions)]
    return rows


def heading(count: int, filters: PoolFilters) -> str:
    """ "12 suppliers", and what they were filtered by."""
    text = f"{count} supplier{'' if count == 1 else 's'}"
    if filters.any:
        text += ", filtered by " + "; ".join(filters.describe())
    return text


def safe_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: one that could start a formula gets a leading '."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def as_csv(rows: Iterable[PoolRow]) -> str:
    """The rows as CSV with a header row; every cell safe against formula injection."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        cells = (
            row.name,
            row.size_label,
            row.vcse_label,
            row.cooperative_label,
            "; ".join(row.region_labels),
            format_date(row.admitted_at),
        )
        writer.writerow([safe_cell(cell) for cell in cells])
    return out.getvalue()


def lots() -> list[Lot]:
    """The lots of the DPS, in number order: each has a pool."""
    current = dps_service.current_dps()
    return list(current.lots) if current is not None else []


def get_lot(lot_id: int) -> Lot | None:
    return db.session.get(Lot, lot_id)
