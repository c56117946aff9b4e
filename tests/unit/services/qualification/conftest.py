"""Fixtures for the qualification checks' tests: a world whose lots set levels, and its
supplier's application sent with its checks not started."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from dps.extensions import db
from dps.models import Application
from dps.rules.checks.verdict import CheckVerdict
from dps.services.applications import submission
from dps.services.qualification import registry
from dps.services.qualification.registry import CheckContext
from tests.fixtures.application_world import (
    DECLARATION,
    DURING_THE_PERIOD,
    World,
    make_world,
    ready_to_send,
)
from tests.fixtures.ch_stub import DEFAULT_API_KEY, CompaniesHouseStub
from tests.fixtures.checks_world import (
    LEVELS,
    S,
)


@pytest.fixture
def world(app: Flask) -> World:
    world = make_world()
    for number, levels in LEVELS.items():
        for name, pence in levels.items():
            setattr(world.lots[number], name, pence)
    db.session.commit()
    return world


@pytest.fixture
def by_hand(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tasks handed to a broker nobody reads: the test runs each step itself."""
    monkeypatch.setitem(app.config, "TASKS_IN_PROCESS", False)


@pytest.fixture
def sent(world: World, by_hand: None) -> Application:
    """The supplier's application for both lots, sent, its checks not started."""
    application = ready_to_send(world, [1, 2])
    submission.submit(application, DECLARATION, actor=world.owner, at=DURING_THE_PERIOD)
    assert application.status == S.SUBMITTED
    return application


@pytest.fixture
def companies_house(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[CompaniesHouseStub]:
    """The Companies House API as a local stub, which knows the world's supplier as active."""
    with CompaniesHouseStub() as stub:
        monkeypatch.setitem(app.config, "COMPANIES_HOUSE_API_URL", stub.url)
        monkeypatch.setitem(app.config, "COMPANIES_HOUSE_API_KEY", DEFAULT_API_KEY)
        yield stub


@pytest.fixture
def extra_check() -> Iterator[Callable[..., str]]:
    """Register a check of the test's own for the length of the test."""
    added: list[str] = []

    def add(name: str, function: Callable[[CheckContext], CheckVerdict]) -> str:
        registry.register(name, label=name.replace("_", " "))(function)
        added.append(name)
        return name

    yield add
    for name in added:
        registry.CHECKS.pop(name, None)
