from __future__ import annotations

import pytest
from flask import Flask

from tests.fixtures.calloffs_world import CallOffWorld, make_calloff_world


@pytest.fixture
def cw(app: Flask) -> CallOffWorld:
    return make_calloff_world()
