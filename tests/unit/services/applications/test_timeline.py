"""The timeline of a sent application: received done, the steps after it still to come."""

from __future__ import annotations

import pytest
from flask import Flask

from dps.services.applications import submission, timeline
from dps.services.applications.timeline import StepState
from tests.fixtures.application_world import (
    DECLARATION,
    DURING_THE_PERIOD,
    World,
    make_world,
    ready_to_send,
)


@pytest.fixture
def world(app: Flask) -> World:
    return make_world()


def test_a_sent_application_is_received_and_its_decision_is_to_come(world: World) -> None:
    application = ready_to_send(world, [1])
    submission.submit(application, DECLARATION, actor=world.owner, at=DURING_THE_PERIOD)
    steps = timeline.timeline(application)
    assert steps[0].state == StepState.DONE
    assert steps[-1].state == StepState.TO_COME
    assert timeline.outstanding_clarification(application) is None
    assert not timeline.is_overdue(application, DURING_THE_PERIOD)
