"""Database fixtures: storage and service tests run on SQLite and on PostgreSQL.

PostgreSQL tests use a schema of their own per run, dropped at the end, and every table
is emptied before each test, so runs and tests never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from goodpath.core.db import get_engine, new_session
from goodpath.core.migrate import upgrade
from goodpath.core.models import Base
from goodpath.core.settings import get_settings
from goodpath.lists import import_jobs

# CI runs the property tests on a fixed seed, so whether a commit lands does not depend on a draw;
# a local `make test` draws new examples every run and is where new failures are found.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("GOODPATH_HYPOTHESIS_PROFILE", "default"))

POSTGRES_URL = os.environ.get("GOODPATH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SHARED = get_settings().shared_dir
DATA = SHARED / "data"


def _postgres_schema_url() -> Iterator[str]:
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to connect means the same to the user
        if os.environ.get("GOODPATH_SKIP_POSTGRES") == "1":
            pytest.skip("GOODPATH_SKIP_POSTGRES=1: PostgreSQL tests skipped on request")
        pytest.fail(
            f"PostgreSQL is not reachable at {POSTGRES_URL} ({exc.__class__.__name__}). "
            "Run `make test` (it starts the local cluster) or set GOODPATH_SKIP_POSTGRES=1.",
            pytrace=False,
        )
    schema = f"gp_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def db_url(request, tmp_path_factory) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'goodpath.db'}"
        upgrade(url)
        yield url
    else:
        for url in _postgres_schema_url():
            upgrade(url)
            yield url
    get_engine(url).dispose()


def _empty_all_tables(url: str) -> None:
    with get_engine(url).begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            return
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def db(db_url: str, monkeypatch) -> Iterator[str]:
    """An empty, migrated database; the CLI and API in this test use it too."""
    _empty_all_tables(db_url)
    monkeypatch.setenv("GOODPATH_DATABASE_URL", db_url)
    yield db_url
    # A list import a test started over the API runs on in a thread of this process: the next
    # test's emptying of the tables waits for it (else the two deadlock on PostgreSQL).
    assert import_jobs.wait_idle(120), "a list import job of this test was still running after 120 s"


@pytest.fixture
def session(db: str) -> Iterator[Session]:
    s = new_session(db)
    try:
        yield s
    finally:
        s.rollback()
        s.close()


@pytest.fixture
def shared_data() -> Path:
    assert DATA.is_dir(), f"the shared list data is missing at {DATA}"
    return DATA


@pytest.fixture
def wide_terminal(monkeypatch) -> None:
    """The CLI's tables 300 columns wide. Rich fixes a console's size when it is made if COLUMNS
    and LINES are both set (pytest-xdist's workers set them to 80x24), so the width is set on the
    consoles themselves as well as in the environment."""
    from goodpath.core import cli_support

    monkeypatch.setenv("COLUMNS", "300")
    for console in (cli_support.console, cli_support.err_console):
        monkeypatch.setattr(console, "_width", 300)
