"""``goodpath serve``: the API and the web UI under uvicorn, the screening index warmed meanwhile."""

from __future__ import annotations

import contextlib
import threading

import typer

from goodpath.core.cli_support import console
from goodpath.core.db import session_scope
from goodpath.core.telemetry import json_logging
from goodpath.screening import service


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
) -> None:
    """Serve the API (and web UI) with uvicorn."""
    import uvicorn

    console.print(f"goodpath is serving on [bold]http://{host}:{port}[/] (API docs: http://{host}:{port}/docs)")
    threading.Thread(target=_warm_screening_index, name="goodpath-warm-index", daemon=True).start()
    # JSON log lines with request ids; uvicorn's access log is off (it prints query strings: screened names).
    uvicorn.run("goodpath.api:app", host=host, port=port, log_config=json_logging(), access_log=False)


def _warm_screening_index() -> None:
    """Build the screening index while the server starts (a few seconds on the demo lists), so the
    first screening a user runs answers at once instead of waiting for it."""
    with contextlib.suppress(Exception), session_scope() as session:  # a failure here shows on first use
        service.get_index(session)
