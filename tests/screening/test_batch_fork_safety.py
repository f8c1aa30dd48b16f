"""A batch job forks its screening workers from the server, whose other threads hold database
connections: the workers must leave the parent's SQLite database (and its WAL) alone.

SQLite's "How To Corrupt An SQLite Database File" (2.6): a connection carried across a fork
and used, or closed, in the child can checkpoint and delete the parent's WAL. Here, while a job
with two forked workers runs, other threads hold a connection checked out of the pool and a
connection in a read transaction referenced only by thread-local storage (what CPython clears
in a forked child); afterwards every row written before, during and after the job is there,
the WAL is the same file, the database is intact, and a login made after the job authenticates.
"""

from __future__ import annotations

import io
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from goodpath.access import auth
from goodpath.api import app
from goodpath.core.db import get_engine, new_session
from goodpath.core.migrate import upgrade
from goodpath.lists import service as lists
from tests.factories import bearer_headers, entity, parsed

PASSWORD = "password-of-forker"


@pytest.fixture
def sqlite_file(tmp_path, monkeypatch) -> Iterator[tuple[str, Path]]:
    """A database of its own in a file (the case that matters: WAL beside it), with a user."""
    path = tmp_path / "goodpath.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    monkeypatch.setenv("GOODPATH_DATABASE_URL", url)
    monkeypatch.setenv("GOODPATH_JOBS_DIR", str(tmp_path / "jobs"))
    monkeypatch.setenv("GOODPATH_BATCH_WORKERS", "2")
    yield url, path
    get_engine(url).dispose()


class _Holder(threading.Thread):
    """Another thread of the server: holds connections until told to let go."""

    def __init__(self, url: str, path: Path) -> None:
        super().__init__(daemon=True)
        self.url, self.path = url, path
        self.ready, self.release = threading.Event(), threading.Event()
        self.local = threading.local()
        self.seen: list[int] = []

    def run(self) -> None:
        session = new_session(self.url)  # a connection checked out from the pool for the whole job
        self.seen.append(session.execute(text("SELECT count(*) FROM browser_session")).scalar_one())
        raw = sqlite3.connect(self.path, check_same_thread=False)  # referenced only by thread-local storage
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("BEGIN")
        raw.execute("SELECT count(*) FROM app_user").fetchone()
        self.local.connection = raw
        del raw
        self.ready.set()
        self.release.wait(120)
        self.seen.append(session.execute(text("SELECT count(*) FROM browser_session")).scalar_one())
        session.close()
        self.local.connection.rollback()
        self.local.connection.close()


def _login(client: TestClient) -> None:
    response = client.post("/auth/login", json={"username": "forker", "password": PASSWORD})
    assert response.status_code == 200, response.text


def _wait(client: TestClient, job_id: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        body = client.get(f"/screen/batch/{job_id}").json()
        if body["status"] not in ("queued", "running"):
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.05)


def test_forked_workers_leave_the_servers_sqlite_connections_alone(sqlite_file):
    url, path = sqlite_file
    with new_session(url) as session:
        lists.apply_parsed(session, parsed([entity("2", "BANCO NACIONAL DE CUBA")]), dataset="fork")
        headers = bearer_headers(session, "owner")
        auth.create_user(session, "forker", PASSWORD, "analyst", "SECRET", "USA", actor="test-setup")
        session.commit()
    before = TestClient(app)
    _login(before)  # a session row written before the job
    assert before.get("/auth/me").json()["username"] == "forker"
    wal = path.with_name(path.name + "-wal")
    wal_inode = wal.stat().st_ino

    holder = _Holder(url, path)
    holder.start()
    assert holder.ready.wait(30)
    try:
        api = TestClient(app, headers=headers)
        rows = "".join(f"r{n},Banco Nacional de Cuba {n % 7}\n" for n in range(3000))  # several chunks a worker
        started = api.post("/screen/batch", files={"file": ("many.csv", io.BytesIO(f"id,name\n{rows}".encode()))})
        assert started.status_code == 202, started.text
        during = TestClient(app)
        _login(during)  # written while the job runs (or just after it)
        done = _wait(api, started.json()["id"])
        assert done["status"] == "done" and done["counts"]["screened"] == 3000, (
            done["counts"],
            done["errors"][:2],
            done["error"],
        )
        assert wal.exists() and wal.stat().st_ino == wal_inode  # not deleted (and recreated) by a worker
    finally:
        holder.release.set()
        holder.join(30)
    assert holder.seen == [1, 2]  # its connection still works, and sees the login made during the job

    after = TestClient(app)
    _login(after)
    for client in (before, during, after):
        assert client.get("/auth/me").json()["username"] == "forker"
    with new_session(url) as session:
        assert session.execute(text("SELECT count(*) FROM browser_session")).scalar_one() == 3
    check = sqlite3.connect(path)
    try:
        assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert check.execute("SELECT count(*) FROM browser_session").fetchone() == (3,)
    finally:
        check.close()
    assert os.path.exists(path.with_name(path.name + "-shm"))
