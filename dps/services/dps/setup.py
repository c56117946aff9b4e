"""Setting up a DPS: its reference, owner, period and lots with their minimum standards.

A council (or group of councils) running its own DPS starts here; the period then changes only
through ``dps.services.dps.period`` with a notice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from dps.extensions import db
from dps.models.accounts import User
from dps.models.dps import DPS, Lot
from dps.models.organisations import Organisation
from dps.rules import pcr2015
from dps.services.common import audit


@dataclass(frozen=True)
class LotTerms:
    """A lot as the DPS notice sets it; money in pence."""

    number: int
    title: str
    description: str
    min_annual_turnover_pence: int
    min_employers_liability_pence: int
    min_public_liability_pence: int
    min_professional_indemnity_pence: int


def find_dps(reference: str) -> DPS | None:
    return db.session.scalars(db.select(DPS).where(DPS.reference == reference)).first()


def create_dps(
    *,
    reference: str,
    title: str,
    description: str,
    owner: Organisation,
    start: date,
    end: date,
    lots: Sequence[LotTerms],
    actor: User | None,
) -> DPS:
    """A new DPS under the 2015 regulations with its lots, recorded as one audit event."""
    dps = DPS(
        reference=reference,
        title=title,
        description=description,
        owner=owner,
        period_start=start,
        period_end=end,
        rule_set=pcr2015.RULE_SET_NAME,
    )
    for terms in lots:
        dps.lots.append(
            Lot(
                number=terms.number,
                title=terms.title,
                description=terms.description,
                min_annual_turnover_pence=terms.min_annual_turnover_pence,
                min_employers_liability_pence=terms.min_employers_liability_pence,
                min_public_liability_pence=terms.min_public_liability_pence,
                min_professional_indemnity_pence=terms.min_professional_indemnity_pence,
            )
        )
    audit.record_new(
        dps,
        "dps.created",
        actor=actor,
        after={
            "reference": reference,
            "period_start": start.isoformat(),
            "period_end": end.isoformat(),
            "lots": [terms.title for terms in lots],
        },
    )
    return dps
