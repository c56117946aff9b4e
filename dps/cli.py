"""Command-line tasks: `flask demo load` and database role grants."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="Demonstration data.")


@demo_cli.command("load")
def demo_load() -> None:
    """Load the demonstration data (safe to run twice). Refused under DPS_ENV=production."""
    from dps.demo import DemoDataRefused, load_demo_data

    try:
        summary = load_demo_data()
    except DemoDataRefused as refused:
        raise click.ClickException(str(refused)) from refused
    click.echo(summary)


@demo_cli.command("sign-ins")
def demo_sign_ins() -> None:
    """Print the demo accounts, their password and the administrator's second factor."""
    from dps.demo import DemoDataRefused, demo_sign_ins
    from dps.demo.data import DEMO_PASSWORD
    from dps.outside.tokens import email_link
    from dps.services.accounts.totp import code_for

    try:
        sign_ins = demo_sign_ins()
    except DemoDataRefused as refused:
        raise click.ClickException(str(refused)) from refused
    click.echo(f"Demo sign-ins at {email_link('auth.sign_in')} (password: {DEMO_PASSWORD})")
    width = max((len(s.account.email) for s in sign_ins), default=0) + 1
    for sign_in in sign_ins:
        account = sign_in.account
        missing = "" if sign_in.loaded else "  [not loaded: run `flask demo load`]"
        click.echo(
            f"  {account.email:<{width}} {account.role.label:<15} {account.organisation}{missing}"
        )
        if account.totp_secret:
            click.echo(
                f"  {'':<{width}} authenticator secret {account.totp_secret} "
                f"(code now: {code_for(account.totp_secret)})"
            )


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


questionnaire_cli = AppGroup("questionnaire", help="The selection questionnaire's definitions.")


@questionnaire_cli.command("publish")
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False))
def questionnaire_publish(path: str | None) -> None:
    """Publish a questionnaire definition (by default the packaged one) as the current version.

    Publishing the same content again changes nothing; changed content becomes a new version.
    """
    from pathlib import Path

    from dps.extensions import db
    from dps.services.suppliers.questionnaire import PACKAGED_DEFINITION, DefinitionInvalid, publish

    try:
        version = publish(Path(path) if path else PACKAGED_DEFINITION)
    except DefinitionInvalid as invalid:
        problems = "\n".join(["The definition was refused:", *invalid.problems])
        raise click.ClickException(problems) from invalid
    db.session.commit()
    state = "the current version" if version.is_current else "published earlier, not current"
    click.echo(f"{version.title}, version {version.version}: {state}")


def register_cli(app: Flask) -> None:
    app.cli.add_command(demo_cli)
    app.cli.add_command(grant_app_role)
    app.cli.add_command(questionnaire_cli)
