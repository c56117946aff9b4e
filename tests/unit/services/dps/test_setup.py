"""Setting up a DPS: its lots with their minimum standards, one audit event, found by reference."""

from __future__ import annotations

from datetime import date

from flask import Flask

from dps.extensions import db
from dps.models import DPS, AuditEvent, Organisation
from dps.rules.enums import OrganisationKind
from dps.services.dps import setup

LOTS = [
    setup.LotTerms(1, "Policy", "Designing policy.", 10_000_000, 500_000_000, 500_000_000, 0),
    setup.LotTerms(2, "Capacity", "Building capacity.", 5_000_000, 0, 500_000_000, 50_000_000),
]


def _owner() -> Organisation:
    owner = Organisation(name="Oldham Council", kind=OrganisationKind.MEMBER)
    db.session.add(owner)
    db.session.flush()
    return owner


def test_a_dps_is_set_up_with_its_lots_and_one_audit_event(app: Flask) -> None:
    dps = setup.create_dps(
        reference="CCIN-DPS-TEST",
        title="A test DPS",
        description="For testing.",
        owner=_owner(),
        start=date(2026, 1, 1),
        end=date(2028, 12, 31),
        lots=LOTS,
        actor=None,
    )
    db.session.commit()

    found = setup.find_dps("CCIN-DPS-TEST")
    assert found is not None and found.id == dps.id
    assert [(lot.number, lot.title) for lot in found.lots] == [(1, "Policy"), (2, "Capacity")]
    assert found.lots[0].min_annual_turnover_pence == 10_000_000
    assert found.lots[1].min_employers_liability_pence == 0
    assert found.lots[1].min_professional_indemnity_pence == 50_000_000
    assert (found.period_start, found.period_end) == (date(2026, 1, 1), date(2028, 12, 31))
    events = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "dps.created"))
    [event] = list(events)
    assert event.object_id == str(dps.id)
    assert event.after == {
        "reference": "CCIN-DPS-TEST",
        "period_start": "2026-01-01",
        "period_end": "2028-12-31",
        "lots": ["Policy", "Capacity"],
    }


def test_an_unknown_reference_finds_nothing(app: Flask) -> None:
    assert setup.find_dps("NO-SUCH-DPS") is None
    assert db.session.scalar(db.select(db.func.count()).select_from(DPS)) == 0
