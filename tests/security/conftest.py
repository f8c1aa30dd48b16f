"""Fixtures of the login and session probes: a clock moved by hand (``clock``), Argon2 at its cheapest."""

from __future__ import annotations

from datetime import timedelta

import pytest

from goodpath.access import auth
from goodpath.core.models import utcnow


class Clock:
    """Stands in for ``auth.utcnow``: time moves only when a test says so."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self):
        return self.now

    def advance(self, seconds: float = 0, **delta) -> None:
        self.now += timedelta(seconds=seconds, **delta)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(auth, "utcnow", clock)
    return clock


@pytest.fixture
def cheap_hashing(monkeypatch) -> None:
    """These tests try many passwords; the hash's cost is not what they test."""
    hasher = auth.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(auth, "_hasher", hasher)
    monkeypatch.setattr(auth, "_DUMMY_HASH", hasher.hash("dummy"))
