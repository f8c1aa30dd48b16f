"""A request's changes are committed before its response starts: a client that acts on the answer
(a browser following the login's redirect) finds them stored. Checked at the ASGI level: when the
app sends ``http.response.start``, a separate connection must already see the new session row."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from goodpath.access import auth
from goodpath.access.models import BrowserSession
from goodpath.api import app
from goodpath.core.db import new_session

PASSWORD = "a long enough password 1"


def _sessions_stored(db: str) -> int:
    with new_session(db) as other:  # another connection: sees committed rows only
        return other.scalar(select(func.count()).select_from(BrowserSession))


@pytest.mark.parametrize(
    ("path", "content_type", "body"),
    [
        ("/login", "application/x-www-form-urlencoded", urlencode({"username": "alice", "password": PASSWORD})),
        ("/auth/login", "application/json", f'{{"username": "alice", "password": "{PASSWORD}"}}'),
    ],
)
def test_a_login_is_stored_before_its_response_starts(db, session, path, content_type, body):
    auth.create_user(session, "alice", PASSWORD, "analyst", "SECRET", "USA", actor="test")
    session.commit()
    seen_at_start: list[int] = []
    statuses: list[int] = []
    payload = body.encode()

    async def receive():
        return {"type": "http.request", "body": payload, "more_body": False}

    async def send(message):
        if message["type"] == "http.response.start":
            statuses.append(message["status"])
            seen_at_start.append(_sessions_stored(db))

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"content-type", content_type.encode()), (b"host", b"testserver")],
        "client": ("127.0.0.1", 50000), "server": ("testserver", 80),
    }  # fmt: skip
    # In a thread of its own: Playwright's sync API (the browser tests, on the same pytest-xdist
    # worker) keeps an event loop running in this one, where asyncio.run refuses to start.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    assert statuses and statuses[0] in (200, 303), statuses
    assert seen_at_start == [1]
