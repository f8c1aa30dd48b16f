"""Engine and sessions. SQLite by default, PostgreSQL through GOODPATH_DATABASE_URL."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import orjson
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from goodpath.core.settings import get_settings


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the importer
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def get_engine(url: str | None = None) -> Engine:
    # Resolved before the cache so that a changed GOODPATH_DATABASE_URL takes effect.
    return _engine(url or get_settings().database_url)


@cache
def _engine(url: str) -> Engine:
    options = {"json_serializer": json_dumps}
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **options)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **options)


def json_dumps(value) -> str:
    # orjson: the JSON columns of a full list import serialize ten times faster.
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


@cache
def _session_factory(url: str) -> sessionmaker[Session]:
    return sessionmaker(bind=_engine(url), expire_on_commit=False)


def new_session(url: str | None = None) -> Session:
    return _session_factory(url or get_settings().database_url)()


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """One unit of work: committed on success, rolled back on any error."""
    session = new_session(url)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def advisory_key(session: Session, name: str) -> int:
    """A PostgreSQL advisory-lock key for ``name`` in the session's schema. Advisory locks belong to the
    whole database: two deployments (or test runs) in schemas of one database must not hold each
    other's. The schema is read once per connection."""
    info = session.connection().info
    if "goodpath.schema" not in info:
        info["goodpath.schema"] = session.scalar(text("SELECT current_schema()")) or ""
    return zlib.crc32(f"{info['goodpath.schema']}:{name}".encode()) & 0x7FFFFFFF
