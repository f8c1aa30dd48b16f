"""Browser sessions end after an idle timeout (default 30 minutes) as well as after 8 hours in all.

Last use is written at most once a minute, so a busy page does not turn every read into a write.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from goodpath.access.models import BrowserSession
from tests.access.test_auth import add_user, login, probe_app

pytestmark = pytest.mark.usefixtures("cheap_hashing")


@pytest.fixture
def client(db, session) -> TestClient:
    add_user(session)
    client = TestClient(probe_app())
    assert login(client).status_code == 200
    return client


def whoami(client: TestClient) -> str:
    return client.get("/probe").json()["role"]


def last_seen(session):
    session.expire_all()
    return session.scalars(select(BrowserSession.last_seen_at)).one()


def test_a_session_unused_for_the_idle_timeout_ends(session, clock, client):
    clock.advance(minutes=29, seconds=59)
    assert whoami(client) == "analyst"  # used just in time: the idle clock starts again
    clock.advance(minutes=29, seconds=59)
    assert whoami(client) == "analyst"
    clock.advance(minutes=30)
    assert whoami(client) == "public"
    clock.advance(seconds=1)
    assert whoami(client) == "public"  # and it stays ended


def test_an_active_session_still_ends_after_eight_hours(session, clock, client):
    for _ in range(16):
        clock.advance(minutes=29)
        assert whoami(client) == "analyst"
    clock.advance(minutes=29)  # 8 h 13 min after login, used all along
    assert whoami(client) == "public"


def test_last_use_is_written_at_most_once_a_minute(session, clock, client):
    at_login = last_seen(session)
    for _ in range(5):
        clock.advance(seconds=10)
        whoami(client)
    assert last_seen(session) == at_login  # 50 s of use, no write
    clock.advance(seconds=15)
    whoami(client)
    assert last_seen(session) > at_login


def test_the_idle_timeout_is_a_setting(session, clock, client, monkeypatch):
    monkeypatch.setenv("GOODPATH_SESSION_IDLE_MINUTES", "5")
    clock.advance(minutes=4)
    assert whoami(client) == "analyst"
    clock.advance(minutes=5)
    assert whoami(client) == "public"
