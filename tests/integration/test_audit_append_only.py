"""The audit trail is append-only on PostgreSQL, and the application's role cannot undo that.

Every test here runs as the role the application connects as (``pg_app``: dps_app_test, not a
superuser, not the owner of any table), except where it says it uses the owner.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from dps.extensions import db
from dps.models import AuditEvent
from dps.services.common import audit

pytestmark = pytest.mark.postgres


@pytest.fixture
def event_id(pg_app: Flask) -> int:
    """One audit event, written the way the application writes them."""
    event = audit.record(
        "organisation.created",
        object_type="organisations",
        object_id=1,
        actor=None,
        after={"name": "Tameside"},
    )
    db.session.flush()
    event_id = int(event.id)
    # Commit and end the session: an open read would hold a lock the owner's TRUNCATE waits on.
    db.session.commit()
    db.session.close()
    return event_id


@pytest.fixture
def app_connection(pg_app: Flask) -> Iterator[Connection]:
    with db.engine.connect() as conn:
        yield conn


def refused(conn: Connection, statement: str) -> str:
    """Run ``statement`` as the application role; it must fail. Returns PostgreSQL's reason."""
    with pytest.raises(DBAPIError) as excinfo:
        conn.execute(sa.text(statement))
    conn.rollback()
    return str(excinfo.value.orig)


def only_event(conn: Connection) -> tuple[int, str]:
    row = conn.execute(sa.text("SELECT id, action FROM audit_events")).one()
    return int(row.id), str(row.action)


def test_the_application_role_is_neither_superuser_nor_owner(app_connection: Connection) -> None:
    role = app_connection.execute(
        sa.text("SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
    ).one()
    assert role.rolname == "dps_app_test"
    assert role.rolsuper is False
    assert role.rolbypassrls is False
    owned = app_connection.execute(
        sa.text("SELECT count(*) FROM pg_tables WHERE tableowner = current_user")
    ).scalar()
    assert owned == 0


def test_the_application_can_append_and_read(
    event_id: int, app_connection: Connection, pg_app: Flask
) -> None:
    audit.record("organisation.renamed", object_type="organisations", object_id=1, actor=None)
    db.session.commit()
    actions = app_connection.execute(
        sa.text("SELECT action FROM audit_events ORDER BY id")
    ).scalars()
    assert list(actions) == ["organisation.created", "organisation.renamed"]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET action = 'tampered'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
        "TRUNCATE audit_events CASCADE",
    ],
)
def test_the_application_cannot_change_or_remove_events(
    event_id: int, app_connection: Connection, statement: str
) -> None:
    reason = refused(app_connection, statement)
    assert "permission denied" in reason or "append-only" in reason
    assert only_event(app_connection) == (event_id, "organisation.created")


def test_changing_an_event_through_the_models_is_refused(event_id: int, pg_app: Flask) -> None:
    event = db.session.get(AuditEvent, event_id)
    assert event is not None
    event.action = "tampered"
    with pytest.raises(DBAPIError, match="permission denied"):
        db.session.commit()
    db.session.rollback()
    db.session.delete(event)
    with pytest.raises(DBAPIError, match="permission denied"):
        db.session.commit()
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(AuditEvent, event_id).action == "organisation.created"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "statement",
    [
        "ALTER TABLE audit_events DISABLE TRIGGER USER",
        "ALTER TABLE audit_events DISABLE TRIGGER ALL",
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete",
        "DROP TRIGGER audit_events_no_update_delete ON audit_events",
        "DROP TRIGGER audit_events_no_truncate ON audit_events",
        "DROP FUNCTION audit_events_append_only() CASCADE",
        "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END; $$",
        "DROP TABLE audit_events",
        "ALTER TABLE audit_events RENAME TO audit_events_old",
        # Replica mode skips ordinary triggers; only a superuser may switch to it.
        "SET session_replication_role = replica",
    ],
)
def test_the_application_cannot_switch_the_rule_off(
    event_id: int, app_connection: Connection, statement: str
) -> None:
    reason = refused(app_connection, statement)
    assert "must be owner" in reason or "permission denied" in reason
    # Still append-only afterwards.
    refused(app_connection, "DELETE FROM audit_events")
    assert only_event(app_connection) == (event_id, "organisation.created")


def test_the_application_cannot_grant_itself_the_rights(
    event_id: int, app_connection: Connection
) -> None:
    # PostgreSQL only warns when a role without the grant option tries; nothing is granted.
    app_connection.execute(sa.text("GRANT UPDATE, DELETE ON audit_events TO dps_app_test"))
    app_connection.commit()
    for privilege in ("UPDATE", "DELETE", "TRUNCATE"):
        has = app_connection.execute(
            sa.text("SELECT has_table_privilege('audit_events', :p)"), {"p": privilege}
        ).scalar()
        assert has is False, privilege
    refused(app_connection, "DELETE FROM audit_events")
    assert only_event(app_connection) == (event_id, "organisation.created")


def test_the_trigger_refuses_even_the_owner(
    event_id: int, migrated_postgres: dict[str, str]
) -> None:
    """Privileges keep the application out; the trigger also stops the owner's slips."""
    owner = sa.create_engine(migrated_postgres["owner_url"])
    try:
        with owner.connect() as conn:
            for statement in (
                "UPDATE audit_events SET action = 'tampered'",
                "DELETE FROM audit_events",
                "TRUNCATE audit_events",
            ):
                reason = refused(conn, statement)
                assert "audit_events is append-only" in reason
            assert only_event(conn) == (event_id, "organisation.created")
    finally:
        owner.dispose()
