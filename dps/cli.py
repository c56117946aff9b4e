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


def register_cli(app: Flask) -> None:
    app.cli.add_command(demo_cli)
