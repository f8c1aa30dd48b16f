"""``goodpath db ...``."""

from __future__ import annotations

import typer

from goodpath.core.cli_support import console, user_errors
from goodpath.core.migrate import upgrade
from goodpath.core.settings import get_settings

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database to the latest schema."""
    url = get_settings().database_url
    with user_errors():
        upgrade(url)
    console.print(f"database at the latest schema: {_safe(url)}")


def _safe(url: str) -> str:
    return url.split("@")[-1] if "@" in url else url
