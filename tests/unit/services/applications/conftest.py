"""Fixtures for the tests of applications: a world, and (for the tests about applying rather than
checking) no qualification checks installed."""

from __future__ import annotations

import pytest
from flask import Flask

from dps.services.applications import submission
from tests.fixtures.application_world import (
    World,
    make_world,
)


@pytest.fixture
def checks_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about applying, not the qualification checks (which, run in-process,
    would move a sent application on): here, as if none were installed."""
    monkeypatch.setattr(submission, "checks_available", lambda: False)


@pytest.fixture
def world(app: Flask) -> World:
    return make_world()
