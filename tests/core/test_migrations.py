"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from goodpath.core.db import get_engine
from goodpath.core.migrate import upgrade
from goodpath.core.models import Base


def test_migrations_match_the_models(db):
    with get_engine(db).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_upgrade_twice_is_harmless(db):
    upgrade(db)
    upgrade(db)
