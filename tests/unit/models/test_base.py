"""Instants are stored in UTC and handed back aware on every database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.exc import StatementError

from dps.extensions import db
from dps.models import Organisation
from dps.models.base import UTCDateTime, utcnow
from dps.rules.enums import MembershipType, OrganisationKind

BST = timezone(timedelta(hours=1), "BST")
# 14:30 in London on a summer day is 13:30 UTC.
SUMMER_AFTERNOON_LONDON = datetime(2026, 6, 15, 14, 30, tzinfo=BST)


def _organisation(created_at: datetime) -> Organisation:
    return Organisation(
        name="Kirklees Council",
        kind=OrganisationKind.MEMBER,
        membership_type=MembershipType.FULL,
        created_at=created_at,
    )


def _store_and_reload(created_at: datetime) -> datetime:
    org = _organisation(created_at)
    db.session.add(org)
    db.session.commit()
    org_id = org.id
    db.session.remove()  # a fresh session: the value must come back from the database
    reloaded = db.session.get(Organisation, org_id)
    assert reloaded is not None
    return reloaded.created_at


def _check_round_trip() -> None:
    back = _store_and_reload(SUMMER_AFTERNOON_LONDON)
    assert back.tzinfo is not None
    assert back.utcoffset() == timedelta(0)
    assert back == SUMMER_AFTERNOON_LONDON
    assert (back.hour, back.minute) == (13, 30)


def _check_naive_refused() -> None:
    db.session.add(_organisation(datetime(2026, 6, 15, 14, 30)))
    with pytest.raises(StatementError, match="naive datetime"):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 0


def _check_comparison_in_queries() -> None:
    db.session.add(_organisation(SUMMER_AFTERNOON_LONDON))
    db.session.commit()
    # 13:29 UTC is before the stored instant, 14:29 London (13:29 UTC) too; 13:31 UTC is after.
    just_before = datetime(2026, 6, 15, 14, 29, tzinfo=BST)
    just_after = datetime(2026, 6, 15, 13, 31, tzinfo=UTC)
    created = Organisation.created_at
    assert db.session.scalar(sa.select(sa.func.count()).where(created > just_before)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).where(created > just_after)) == 0


def test_instants_come_back_aware_utc_on_sqlite(app: Flask) -> None:
    _check_round_trip()
    # SQLite keeps the UTC wall-clock time, whatever zone the instant was given in.
    raw = db.session.execute(sa.text("SELECT created_at FROM organisations")).scalar()
    assert str(raw).startswith("2026-06-15 13:30:00")


def test_naive_instants_are_refused_on_sqlite(app: Flask) -> None:
    _check_naive_refused()


def test_instants_compare_as_instants_on_sqlite(app: Flask) -> None:
    _check_comparison_in_queries()


def test_instants_come_back_aware_utc_on_postgresql(pg_app: Flask) -> None:
    _check_round_trip()


def test_postgresql_session_time_zone_does_not_leak_through(pg_app: Flask) -> None:
    db.session.add(_organisation(SUMMER_AFTERNOON_LONDON))
    db.session.commit()
    db.session.execute(sa.text("SET TIME ZONE 'Europe/London'"))
    back = db.session.scalars(sa.select(Organisation.created_at)).one()
    assert back.utcoffset() == timedelta(0)
    assert back.tzinfo is UTC
    assert back == SUMMER_AFTERNOON_LONDON


def test_naive_instants_are_refused_on_postgresql(pg_app: Flask) -> None:
    _check_naive_refused()


def test_instants_compare_as_instants_on_postgresql(pg_app: Flask) -> None:
    _check_comparison_in_queries()


def test_the_type_converts_in_both_directions() -> None:
    column_type = UTCDateTime()
    sqlite = sa.create_engine("sqlite://").dialect
    stored = column_type.process_bind_param(SUMMER_AFTERNOON_LONDON, sqlite)
    assert stored == datetime(2026, 6, 15, 13, 30)  # UTC wall clock, zone dropped for SQLite
    assert column_type.process_result_value(stored, sqlite) == SUMMER_AFTERNOON_LONDON
    assert column_type.process_bind_param(None, sqlite) is None
    assert utcnow().tzinfo is UTC


# --- shown in London time ----------------------------------------------------------------
