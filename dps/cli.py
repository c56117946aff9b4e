"""Command-line tasks: `flask demo load` and database role grants."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="Demonstration data.")


@demo_cli.command("load")
def demo_load() -> None:
    """Load the demonstration data (safe to run twice)."""
    from dps.demo import load_demo_data

    summary = load_demo_data()
    click.echo(summary)


@click.command("grant-app-role")
@click.argument("role")
def grant_app_role(role: str) -> None:
    """Grant the application's database ROLE what it needs, and no more (PostgreSQL).

    Run as the schema's owner after `flask db upgrade`. The role may read and write the tables,
    but only read and append to the audit trail.
    """
    from sqlalchemy import text

    from dps.extensions import db

    if db.engine.dialect.name != "postgresql":
        raise click.ClickException("grant-app-role is for PostgreSQL only")
    if not role.replace("_", "").isalnum():
        raise click.ClickException("the role name may hold letters, digits and underscores only")
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM {role}",
        f"REVOKE ALL ON alembic_version FROM {role}",
        f"GRANT SELECT ON alembic_version TO {role}",
    ]
    with db.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    click.echo(f"Granted {role} the application's privileges")


def register_cli(app: Flask) -> None:
    app.cli.add_command(demo_cli)
    app.cli.add_command(grant_app_role)
