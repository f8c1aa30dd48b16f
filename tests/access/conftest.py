"""The authorization matrix's world, for test_authorization_matrix.py and its matrix_*.py parts."""

from __future__ import annotations

import pytest

from tests.access.matrix_support import World, build_world


@pytest.fixture
def world(session) -> World:
    return build_world(session)
