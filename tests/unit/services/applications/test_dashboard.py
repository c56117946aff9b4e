"""The supplier's home page: a draft to finish, and whether there is a lot still to apply for."""

from __future__ import annotations

import pytest
from flask import Flask

from dps.services.applications import dashboard, drafting
from dps.services.applications.dashboard import ActionKind
from tests.fixtures.application_world import DURING_THE_PERIOD, World, make_world


@pytest.fixture
def world(app: Flask) -> World:
    return make_world()


def test_a_new_supplier_may_apply_and_has_no_applications(world: World) -> None:
    board = dashboard.dashboard_for(world.supplier.id, at=DURING_THE_PERIOD)
    assert board.applications == [] and board.draft is None
    assert board.can_apply


def test_a_draft_is_listed_with_an_action_to_finish_it(world: World) -> None:
    draft = drafting.start_application(world.supplier.id, [1], actor=world.owner)
    board = dashboard.dashboard_for(world.supplier.id, at=DURING_THE_PERIOD)
    assert board.draft is not None and board.draft.id == draft.id
    assert board.applications == [draft]
    assert ActionKind.FINISH_DRAFT in {action.kind for action in board.actions}
