"""Instants are stored in UTC and handed back aware on every database; shown in London time.

Money is integer pence, shown in pounds.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from flask import Flask, render_template_string
from sqlalchemy.exc import StatementError

from dps.extensions import db
from dps.models import Organisation
from dps.models.base import UTCDateTime, utcnow
from dps.rules.enums import MembershipType, OrganisationKind
from dps.rules.timefmt import format_date, format_datetime, format_pence

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


@pytest.mark.parametrize(
    ("instant", "shown"),
    [
        # Winter: London is on GMT.
        (datetime(2026, 1, 15, 13, 5, tzinfo=UTC), "15 January 2026 at 1:05pm"),
        # Summer: London is on BST, an hour ahead.
        (datetime(2026, 6, 15, 13, 5, tzinfo=UTC), "15 June 2026 at 2:05pm"),
        # Late on a summer evening in UTC is already the next day in London.
        (datetime(2026, 5, 31, 23, 30, tzinfo=UTC), "1 June 2026 at 12:30am"),
        # The clocks go forward at 01:00 UTC on 29 March 2026.
        (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "29 March 2026 at 12:59am"),
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "29 March 2026 at 2:00am"),
        # The clocks go back at 01:00 UTC on 25 October 2026: 1:30am happens twice.
        (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "25 October 2026 at 1:30am"),
        (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "25 October 2026 at 1:30am"),
        # GOV.UK style says midday and midnight rather than 12pm and 12am.
        (datetime(2026, 7, 1, 11, 0, tzinfo=UTC), "1 July 2026 at midday"),
        (datetime(2026, 6, 30, 23, 0, tzinfo=UTC), "1 July 2026 at midnight"),
        (datetime(2026, 12, 1, 0, 0, tzinfo=UTC), "1 December 2026 at midnight"),
    ],
)
def test_instants_are_shown_in_london_time(instant: datetime, shown: str) -> None:
    assert format_datetime(instant) == shown


def test_dates_are_shown_without_leading_zeros() -> None:
    assert format_date(date(2020, 4, 1)) == "1 April 2020"
    # A date is the London date: 23:30 UTC is the same day in winter, the next day in summer.
    assert format_date(datetime(2025, 1, 31, 23, 30, tzinfo=UTC)) == "31 January 2025"
    assert format_date(datetime(2025, 3, 31, 23, 30, tzinfo=UTC)) == "1 April 2025"
    assert format_date(None) == ""
    assert format_datetime(None) == ""


# --- money -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pence", "shown"),
    [
        (500_000_000, "£5,000,000"),
        (1050, "£10.50"),
        (5, "£0.05"),
        (99, "£0.99"),
        (100, "£1"),
        (0, "£0"),
        (123_456_789, "£1,234,567.89"),
        (-1050, "-£10.50"),
        (None, ""),
    ],
)
def test_pence_are_shown_as_pounds(pence: int | None, shown: str) -> None:
    assert format_pence(pence) == shown


def test_templates_have_the_filters(app: Flask) -> None:
    with app.test_request_context():
        rendered = render_template_string(
            "{{ when|datetime }} / {{ day|date }} / {{ cover|pence }}",
            when=datetime(2026, 6, 15, 13, 5, tzinfo=UTC),
            day=date(2029, 2, 23),
            cover=1_000_000_000,
        )
    assert rendered == "15 June 2026 at 2:05pm / 23 February 2029 / £10,000,000"


def test_showing_a_naive_instant_is_refused_rather_than_read_as_server_time() -> None:
    from datetime import datetime

    import pytest

    from dps.rules import timefmt

    with pytest.raises(ValueError, match="naive"):
        timefmt.format_datetime(datetime(2026, 6, 1, 12, 0))
