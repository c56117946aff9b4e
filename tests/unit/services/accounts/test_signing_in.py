"""Signing in: the outcomes of a password, what is audited, and timing that gives nothing away."""

from __future__ import annotations

import statistics
import time

from argon2 import PasswordHasher
from flask import Flask
from sqlalchemy.orm.attributes import set_committed_value

from dps.extensions import db
from dps.models import AuditEvent, User
from dps.rules.enums import Role
from dps.services.accounts import passwords, totp
from dps.services.accounts.signing_in import (
    Outcome,
    record_sign_out,
    sign_in_with_code,
    sign_in_with_password,
)
from tests.fixtures.accounts_world import PASSWORD, actions, make_user


def test_sign_in_outcomes(app: Flask) -> None:
    make_user("ann@example.org")
    make_user("waiting@example.org", confirmed=False)
    make_user("admin@example.org", role=Role.ADMINISTRATOR)
    make_user(
        "coded@example.org", role=Role.ADMINISTRATOR, totp_secret="CCINDEMOCCINDEMOCCINDEMOCCINDEMO"
    )
    outcome = Outcome

    assert sign_in_with_password("ANN@example.org", PASSWORD).outcome is outcome.SIGNED_IN
    assert sign_in_with_password("ann@example.org", "wrong password!").outcome is outcome.REFUSED
    assert sign_in_with_password("nobody@example.org", PASSWORD).outcome is outcome.REFUSED
    assert sign_in_with_password("waiting@example.org", PASSWORD).outcome is outcome.UNCONFIRMED
    # An unconfirmed address is only revealed to someone who knows the password.
    assert (
        sign_in_with_password("waiting@example.org", "wrong password!").outcome is outcome.REFUSED
    )
    assert sign_in_with_password("admin@example.org", PASSWORD).outcome is outcome.NEEDS_CODE_SET_UP
    assert sign_in_with_password("coded@example.org", PASSWORD).outcome is outcome.NEEDS_CODE


def test_sign_ins_and_failures_are_recorded(app: Flask) -> None:
    user = make_user()
    sign_in_with_password("ann@example.org", "wrong password!")
    sign_in_with_password("nobody@example.org", "wrong password!")
    sign_in_with_password("ann@example.org", PASSWORD)
    version = user.session_version
    record_sign_out(user)

    assert user.last_signed_in_at is not None
    # Every cookie for the account carried the old version: signing out ends them all.
    assert db.session.get(User, user.id).session_version == version + 1
    events = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.object_id) for e in events] == [
        ("user.sign_in_failed", str(user.id)),
        ("user.sign_in_failed", ""),
        ("user.signed_in", str(user.id)),
        ("user.signed_out", str(user.id)),
    ]
    assert events[0].after == {"email": "ann@example.org", "reason": "wrong password"}
    assert events[1].after == {"email": "nobody@example.org", "reason": "unknown address"}


def test_an_unknown_address_takes_as_long_as_a_wrong_password(app: Flask) -> None:
    make_user()

    def median_seconds(email: str) -> float:
        times = []
        for _ in range(5):
            started = time.perf_counter()
            sign_in_with_password(email, "wrong password!")
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    known, unknown = median_seconds("ann@example.org"), median_seconds("nobody@example.org")
    # Both verify an argon2 hash; skipping it for unknown addresses would be ~20 times faster.
    assert unknown > known * 0.5, (known, unknown)


def test_a_hash_made_with_old_parameters_is_replaced_on_sign_in(app: Flask) -> None:
    user = make_user()
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(
        PASSWORD
    )
    db.session.commit()
    assert sign_in_with_password("ann@example.org", PASSWORD).outcome is Outcome.SIGNED_IN
    assert not passwords.needs_rehash(user.password_hash)
    assert passwords.verify_password(user.password_hash, PASSWORD)


def test_a_closed_account_cannot_sign_in(app: Flask) -> None:
    user = make_user()
    user.active = False
    db.session.commit()
    assert sign_in_with_password("ann@example.org", PASSWORD).outcome is Outcome.REFUSED


def test_a_code_already_claimed_by_another_request_is_refused(app: Flask) -> None:
    """The copy of the account a request read may be stale: another request may have used the
    same code since. The step is claimed in the database, not on that copy."""
    secret = "CCINDEMOCCINDEMOCCINDEMOCCINDEMO"
    admin = make_user("admin@example.org", role=Role.ADMINISTRATOR, totp_secret=secret)
    code = totp.code_for(secret)
    step = totp.accepted_step(secret, code, last_step=None)
    # Another request signs in with the same code and commits first...
    db.session.execute(
        db.update(User)
        .where(User.id == admin.id)
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    # ...after this one read the account, when the code was still unused.
    set_committed_value(admin, "totp_last_step", None)

    assert sign_in_with_code(admin, code) is False
    assert actions(action="user.signed_in") == []
    assert actions(action="user.sign_in_failed") == ["user.sign_in_failed"]


def test_a_fresh_code_signs_in_once_and_records_its_step(app: Flask) -> None:
    secret = "CCINDEMOCCINDEMOCCINDEMOCCINDEMO"
    admin = make_user("admin@example.org", role=Role.ADMINISTRATOR, totp_secret=secret)
    code = totp.code_for(secret)
    assert sign_in_with_code(admin, code) is True
    assert db.session.get(User, admin.id).totp_last_step == totp.accepted_step(
        secret, code, last_step=None
    )
    assert sign_in_with_code(admin, code) is False
