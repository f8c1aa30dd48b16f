"""``goodpath db ...`` and ``goodpath serve``."""

from __future__ import annotations

import contextlib
import threading

import typer

from goodpath.core.cli_support import console, user_errors
from goodpath.core.db import session_scope
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


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
) -> None:
    """Serve the API (and web UI) with uvicorn."""
    import uvicorn

    console.print(f"goodpath is serving on [bold]http://{host}:{port}[/] (API docs: http://{host}:{port}/docs)")
    threading.Thread(target=_warm_screening_index, name="goodpath-warm-index", daemon=True).start()
    uvicorn.run("goodpath.api:app", host=host, port=port, log_level="info")


def _warm_screening_index() -> None:
    """Build the screening index while the server starts (a few seconds on the demo lists), so the
    first screening a user runs answers at once instead of waiting for it."""
    from goodpath.screening import service

    with contextlib.suppress(Exception), session_scope() as session:  # a failure here shows on first use
        service.get_index(session)
