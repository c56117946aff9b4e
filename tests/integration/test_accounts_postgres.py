"""Accounts on the production services: signing in on PostgreSQL, rate limits in Redis."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.exc import IntegrityError

from dps.extensions import db
from dps.models import AuditEvent, Organisation, User
from dps.rules.enums import Role
from dps.services.accounts import passwords, totp
from dps.web.auth.routes import PENDING
from tests.conftest import make_app
from tests.fixtures import services
from tests.fixtures.accounts_world import PASSWORD, emails_to, link_in, make_user


def register(client: FlaskClient, email: str) -> None:
    response = client.post(
        "/register",
        data={
            "organisation_name": "Co-op Futures",
            "name": "Ann Lee",
            "email": email,
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        },
    )
    assert response.location == "/register/check-email"


@pytest.mark.postgres
def test_register_confirm_sign_in_and_out_on_postgres(pg_client: FlaskClient) -> None:
    register(pg_client, "Ann.Lee@Example.org")
    register(pg_client, "ann.lee@EXAMPLE.org")  # the same address: nothing more is created
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1
    assert db.session.scalar(db.select(db.func.count(Organisation.id))) == 1

    refused = pg_client.post(
        "/sign-in", data={"email": "ann.lee@example.org", "password": PASSWORD}
    )
    assert refused.status_code == 200
    assert "Confirm your email address" in refused.get_data(as_text=True)

    confirm = link_in(emails_to("ann.lee@example.org")[0], "/confirm-email/")
    assert pg_client.get(confirm).status_code == 200

    wrong = pg_client.post("/sign-in", data={"email": "ann.lee@example.org", "password": "nope"})
    assert "Enter a correct email address and password" in wrong.get_data(as_text=True)
    signed_in = pg_client.post(
        "/sign-in", data={"email": "ANN.LEE@example.org", "password": PASSWORD}
    )
    assert signed_in.location == "/home"
    assert pg_client.get("/session/status").json["signed_in"] is True
    assert pg_client.get("/account").status_code == 200

    assert pg_client.post("/sign-out").status_code == 302
    assert pg_client.get("/session/status").json["signed_in"] is False

    user = db.session.scalars(db.select(User)).one()
    assert user.last_signed_in_at is not None and user.last_signed_in_at.tzinfo is not None
    recorded = db.session.scalars(
        db.select(AuditEvent.action).where(AuditEvent.action.like("user.sign%"))
    ).all()
    assert recorded == [
        "user.sign_in_failed",
        "user.sign_in_failed",
        "user.signed_in",
        "user.signed_out",
    ]


@pytest.mark.postgres
def test_postgres_refuses_a_second_account_for_an_address_in_another_case(
    pg_client: FlaskClient,
) -> None:
    # The unique index on lower(email) holds even if a caller bypasses the service's check.
    db.session.add(User(email="kim@example.org", name="Kim", password_hash=passwords.DUMMY_HASH))
    db.session.commit()
    db.session.add(User(email="KIM@example.org", name="Kim", password_hash=passwords.DUMMY_HASH))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


@pytest.mark.redis
def test_sign_in_limits_are_counted_in_redis_when_configured(tmp_path: Path) -> None:
    """Counts kept in Redis hold across every web process, not just the one that counted."""
    services.need_redis()
    run = uuid.uuid4().hex[:8]
    email, address = f"limit-{run}@example.org", f"10.{int(run[:2], 16)}.{int(run[2:4], 16)}.7"
    app = make_app(
        tmp_path,
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=services.REDIS_URL,
        LOGIN_LIMIT_PER_ACCOUNT="2 per minute",
        LOGIN_LIMIT_PER_ADDRESS="50 per minute",
    )
    store = redis.Redis.from_url(services.REDIS_URL)

    def attempt() -> int:
        response = app.test_client().post(
            "/sign-in",
            data={"email": email, "password": "not the password"},
            environ_base={"REMOTE_ADDR": address},
        )
        return response.status_code

    with app.app_context():
        db.create_all()
        assert [attempt(), attempt(), attempt()] == [200, 200, 429]
        keys = store.keys(f"*{email}*")
        assert keys, "the per-account count should be kept in Redis"
        # The count lives only in Redis: clearing it there lets the account try again.
        store.delete(*keys)
        assert attempt() == 200
        store.delete(*store.keys(f"*{email}*"), *store.keys(f"*{address}*"))


@pytest.mark.postgres
def test_a_code_posted_by_four_sign_ins_at_once_signs_in_only_one(pg_app: Flask) -> None:
    """Four sessions that have each given the administrator's password post the same fresh
    code at the same moment: the code's time step is claimed once, so one is signed in."""
    secret = totp.new_secret()
    admin = make_user("admin@example.org", role=Role.ADMINISTRATOR, totp_secret=secret)
    pending = {
        "user_id": admin.id,
        "version": admin.session_version,
        "since": time.time(),
        "next": None,
    }
    clients = [pg_app.test_client() for _ in range(4)]
    for client in clients:
        with client.session_transaction() as session:
            session[PENDING] = dict(pending)
    code = totp.code_for(secret)
    ready = threading.Barrier(len(clients))

    def post_code(client: FlaskClient) -> str | None:
        ready.wait()
        response = client.post("/sign-in/code", data={"code": code})
        return response.location if response.status_code == 302 else str(response.status_code)

    with ThreadPoolExecutor(len(clients)) as pool:
        outcomes = list(pool.map(post_code, clients))

    assert sorted(outcomes, key=str) == ["/home", "200", "200", "200"]
    db.session.expire_all()
    signed_in = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "user.signed_in")
    ).all()
    assert len(signed_in) == 1
    refused = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "user.sign_in_failed")
    ).all()
    assert [event.after["reason"] for event in refused] == ["wrong or reused code"] * 3
