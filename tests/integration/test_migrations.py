"""The schema only changes through migrations, and the migrations build exactly the models.

An empty PostgreSQL database of this module's own is upgraded through every migration, compared
with the models by Alembic's autogenerate (which reflects PostgreSQL's expression indexes, so
the case-insensitive email index is compared too), downgraded to nothing and upgraded again.
The same runs on SQLite, the embedded default.
"""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError

from dps.config import PROJECT_ROOT
from dps.extensions import db
from dps.models import User
from tests.conftest import make_app
from tests.fixtures import services

SCRIPTS = ScriptDirectory(str(PROJECT_ROOT / "migrations"))
# SQLAlchemy cannot reflect expression indexes on SQLite, so autogenerate skips them there and
# says so; the index is checked by its SQL and its behaviour instead.
SQLITE_EXPRESSION_INDEX_WARNINGS = ("expression-based index",)


def revisions_in_order() -> list[str]:
    return [script.revision for script in reversed(list(SCRIPTS.walk_revisions()))]


def schema_differences(conn: Connection, allowed_warnings: tuple[str, ...] = ()) -> list[Any]:
    """What autogenerate would write to make the database match the models (nothing, we hope)."""
    context = MigrationContext.configure(
        conn, opts={"compare_type": True, "compare_server_default": True}
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        differences = compare_metadata(context, db.metadata)
    unexpected = [
        str(w.message)
        for w in caught
        if not any(allowed in str(w.message) for allowed in allowed_warnings)
    ]
    assert unexpected == [], "autogenerate could not compare everything"
    return list(differences)


def check_constraint_names(conn: Connection) -> tuple[set[str], set[str]]:
    inspector = sa.inspect(conn)
    in_database = {
        check["name"]
        for table in inspector.get_table_names()
        for check in inspector.get_check_constraints(table)
    }
    in_models = {
        str(constraint.name)
        for table in db.metadata.sorted_tables
        for constraint in table.constraints
        if isinstance(constraint, sa.CheckConstraint)
    }
    return in_database, in_models


def add_user(email: str) -> None:
    db.session.add(User(email=email, name="Ada Lovelace", password_hash="not-a-real-hash"))
    db.session.commit()


def check_emails_are_unique_ignoring_case() -> None:
    add_user("Ada.Lovelace@Example.org")
    with pytest.raises(IntegrityError, match="uq_users_email_lower"):
        add_user("ada.lovelace@EXAMPLE.ORG")
    db.session.rollback()
    add_user("grace.hopper@example.org")  # a different address is fine
    db.session.execute(sa.delete(User))
    db.session.commit()


def step_down_to_base() -> None:
    """Downgrade one migration at a time, so every downgrade runs on its own."""
    for _ in revisions_in_order():
        downgrade(revision="-1")


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


# --- the history -------------------------------------------------------------------------


def test_there_is_exactly_one_head_and_a_straight_history() -> None:
    assert len(SCRIPTS.get_heads()) == 1, "two migrations share a parent: renumber yours"
    assert len(SCRIPTS.get_bases()) == 1
    for script in SCRIPTS.walk_revisions():
        assert not script.is_merge_point, f"{script.revision} merges branches"
        assert not script.is_branch_point, f"{script.revision} starts a branch"
    files = sorted(p.name for p in (PROJECT_ROOT / "migrations" / "versions").glob("*.py"))
    assert len(files) == len(revisions_in_order()), "a file in versions/ is not a migration"


# --- PostgreSQL --------------------------------------------------------------------------


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    """An empty database of this test's own, dropped afterwards. Yields the owner's URL."""
    services.need_postgres()
    name = f"dps_migrations_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(services.POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{services.POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_migration_app(empty_postgres: str, tmp_path: Path) -> Iterator[Flask]:
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=empty_postgres)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def public_schema_objects(conn: Connection) -> dict[str, set[str]]:
    """Everything left in the public schema, by kind, apart from Alembic's own table."""
    rows = conn.execute(
        sa.text(
            """
            SELECT 'relation', c.relname FROM pg_class c
              JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relname NOT LIKE 'alembic_version%'
            UNION ALL
            SELECT 'function', p.proname FROM pg_proc p
              JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
            UNION ALL
            SELECT 'type', t.typname FROM pg_type t
              JOIN pg_namespace n ON n.oid = t.typnamespace
             WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd')
            """
        )
    )
    found: dict[str, set[str]] = {}
    for kind, name in rows:
        found.setdefault(kind, set()).add(name)
    return found


@pytest.mark.postgres
def test_postgresql_migrations_build_the_models_and_come_down_again(
    postgres_migration_app: Flask,
) -> None:
    head = SCRIPTS.get_current_head()

    for revision in revisions_in_order():
        upgrade(revision=revision)

    with db.engine.connect() as conn:
        assert current_revision(conn) == head
        assert schema_differences(conn) == []
        in_database, in_models = check_constraint_names(conn)
        assert in_database == in_models
        triggers = conn.execute(
            sa.text(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_events'::regclass "
                "AND NOT tgisinternal ORDER BY tgname"
            )
        ).scalars()
        assert list(triggers) == ["audit_events_no_truncate", "audit_events_no_update_delete"]

        # The comparison is not blind: without the expression index it asks for it back.
        conn.execute(sa.text("DROP INDEX uq_users_email_lower"))
        assert [d[0] for d in schema_differences(conn)] == ["add_index"]
        conn.rollback()
        conn.execute(sa.text("DROP INDEX uq_call_off_contracts_reference_lower"))
        assert [d[0] for d in schema_differences(conn)] == ["add_index"]
        conn.rollback()

    check_emails_are_unique_ignoring_case()
    db.session.remove()

    step_down_to_base()
    with db.engine.connect() as conn:
        assert sa.inspect(conn).get_table_names() == ["alembic_version"]
        assert public_schema_objects(conn) == {}
        assert current_revision(conn) is None

    upgrade()
    with db.engine.connect() as conn:
        assert current_revision(conn) == head
        assert schema_differences(conn) == []
    check_emails_are_unique_ignoring_case()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    [
        "CREATE TABLE intruder (id integer)",
        "CREATE INDEX ix_users_name ON users (name)",
        "ALTER TABLE users ADD COLUMN note text",
        "ALTER TABLE users DROP COLUMN name",
        "DROP TABLE outbox_messages",
        "CREATE SCHEMA intruder",
        "UPDATE alembic_version SET version_num = 'tampered'",
    ],
)
def test_the_application_role_cannot_change_the_schema(pg_app: Flask, statement: str) -> None:
    with db.engine.connect() as conn:
        with pytest.raises(DBAPIError) as excinfo:
            conn.execute(sa.text(statement))
        reason = str(excinfo.value.orig)
        assert "permission denied" in reason or "must be owner" in reason
        conn.rollback()
        assert current_revision(conn) == SCRIPTS.get_current_head()


# --- SQLite, the embedded default ---------------------------------------------------------


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_sqlite_migrations_build_the_models_and_come_down_again(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    head = SCRIPTS.get_current_head()
    with app.app_context():
        for revision in revisions_in_order():
            upgrade(revision=revision)

        with db.engine.connect() as conn:
            assert current_revision(conn) == head
            assert schema_differences(conn, SQLITE_EXPRESSION_INDEX_WARNINGS) == []
            index_sql = conn.execute(
                sa.text("SELECT sql FROM sqlite_master WHERE name = 'uq_users_email_lower'")
            ).scalar()
            assert index_sql == "CREATE UNIQUE INDEX uq_users_email_lower ON users (lower(email))"
            contracts_sql = conn.execute(
                sa.text(
                    "SELECT sql FROM sqlite_master "
                    "WHERE name = 'uq_call_off_contracts_reference_lower'"
                )
            ).scalar()
            assert contracts_sql == (
                "CREATE UNIQUE INDEX uq_call_off_contracts_reference_lower "
                "ON call_off_contracts (organisation_id, lower(reference))"
            )
        check_emails_are_unique_ignoring_case()
        db.session.remove()

        step_down_to_base()
        with db.engine.connect() as conn:
            assert sa.inspect(conn).get_table_names() == ["alembic_version"]
            leftovers = conn.execute(
                sa.text("SELECT name FROM sqlite_master WHERE tbl_name <> 'alembic_version'")
            ).scalars()
            assert list(leftovers) == []

        upgrade()
        with db.engine.connect() as conn:
            assert current_revision(conn) == head
            assert schema_differences(conn, SQLITE_EXPRESSION_INDEX_WARNINGS) == []
        check_emails_are_unique_ignoring_case()
        db.session.remove()
        db.engine.dispose()
