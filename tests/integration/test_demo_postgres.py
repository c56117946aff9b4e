"""The demo data on PostgreSQL, as the non-superuser application role: loads, and loads again."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask

from dps.demo import load_demo_data
from dps.demo.data import DEMO_ACCOUNTS
from dps.extensions import db
from dps.models import AuditEvent
from dps.services.dps.period import current_dps

pytestmark = pytest.mark.postgres


def row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(db.select(db.func.count()).select_from(table)) or 0
        for table in db.metadata.sorted_tables
    }


def test_demo_data_loads_twice_on_postgresql_without_adding_a_row(pg_app: Flask) -> None:
    runner = pg_app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    counts = row_counts()
    assert counts["users"] == len(DEMO_ACCOUNTS)
    assert counts["audit_events"] > 0

    second = runner.invoke(args=["demo", "load"])

    assert second.exit_code == 0, second.output
    assert row_counts() == counts
    dps = current_dps()
    assert dps is not None
    assert dps.period_end == date(2029, 2, 23)
    assert (
        db.session.scalar(
            db.select(db.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "dps.period_changed")
        )
        == 1
    )


def test_the_start_page_on_postgresql_shows_the_demo_dps_open(pg_app: Flask) -> None:
    load_demo_data()
    client = pg_app.test_client()
    page = client.get("/").get_data(as_text=True)
    assert "Open now" in page
    assert "Lot 2 – Capacity Building" in page
    assert "demonstration data: period extended so the journeys can be tried" in page
