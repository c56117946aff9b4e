"""The browser tests' clock (tests/fixtures/clock.py) moves every reader of the server's clock,
column defaults included, and puts the real one back afterwards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from dps.extensions import db
from dps.models import AuditEvent
from dps.models import base as models_base
from dps.services.common import audit
from tests.fixtures.clock import moved_clock

REAL = models_base.utcnow
THEN = datetime(2031, 3, 30, 0, 30, tzinfo=UTC)


def near(instant: datetime, expected: datetime) -> bool:
    return abs(instant - expected) < timedelta(seconds=5)


def test_every_reader_of_the_clock_reads_the_moved_one_and_the_real_one_comes_back(
    app: Flask,
) -> None:
    # An insert before the clock moves: SQLAlchemy memoizes the default's callable on the
    # column at its first use, and the moved clock must still reach it.
    db.session.add(
        AuditEvent(actor_description="test", action="before", object_type="t", object_id="0")
    )
    db.session.flush()
    with moved_clock() as clock:
        assert near(audit.utcnow(), REAL())  # it starts at the real time
        clock.jump_to(THEN)
        assert near(audit.utcnow(), THEN)
        assert near(models_base.utcnow(), THEN)
        assert audit.utcnow() >= THEN  # and runs on from where it was set
        event = AuditEvent(actor_description="test", action="test", object_type="t", object_id="1")
        db.session.add(event)
        db.session.flush()
        assert near(event.occurred_at, THEN)  # a column default reads it too
    assert audit.utcnow is REAL and models_base.utcnow is REAL
    assert near(audit.utcnow(), datetime.now(UTC))
    default = AuditEvent.__table__.c.occurred_at.default
    assert default.arg.__wrapped__ is REAL


def test_a_naive_instant_and_a_clock_moved_twice_are_refused(app: Flask) -> None:
    with moved_clock() as clock:
        with pytest.raises(ValueError, match="naive"):
            clock.jump_to(datetime(2031, 1, 1))
        with pytest.raises(RuntimeError, match="already moved"), moved_clock():
            pass
    assert models_base.utcnow is REAL
