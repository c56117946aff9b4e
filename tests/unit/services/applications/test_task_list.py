"""The task list of a draft: nothing completed at first, and no gaps once everything is done."""

from __future__ import annotations

import pytest
from flask import Flask

from dps.rules.enums import SectionStatus
from dps.services.applications import drafting, task_list
from tests.fixtures.application_world import World, make_world, ready_to_send


@pytest.fixture
def world(app: Flask) -> World:
    return make_world()


def test_a_new_draft_has_nothing_completed_and_gaps_to_fill(world: World) -> None:
    application = drafting.start_application(world.supplier.id, [1], actor=world.owner)
    tasks = task_list.task_list(application)
    assert tasks.total > 0 and tasks.completed == 0
    assert task_list.gaps(application)


def test_a_draft_with_everything_done_has_every_task_completed_and_no_gaps(world: World) -> None:
    application = ready_to_send(world, [1, 2])
    tasks = task_list.task_list(application)
    assert tasks.completed == tasks.total
    assert all(task.status == SectionStatus.COMPLETED for task in tasks.sections)
    assert task_list.gaps(application) == []
    assert task_list.review(application) is not None
