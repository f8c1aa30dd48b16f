"""What every API router shares: a session per request and error mapping."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from goodpath.core import followup_runner, followups
from goodpath.core.db import session_scope
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.lists.records import ListFormatError

log = logging.getLogger(__name__)


def get_session() -> Iterator[Session]:
    """One transaction per request; the follow-up work it recorded runs right after its commit."""
    with session_scope() as session:
        yield session
    if session.info.get(followups.WRITTEN):
        try:
            followup_runner.run_due()
        except Exception:  # noqa: BLE001 - the change is committed: its follow-ups wait for the server's runner
            log.warning("follow-ups left to the background runner", exc_info=True)


# The request's session, committed when the route function returns and before the response is
# sent ("function" scope): a client that acts on the response (a browser following the login's
# redirect) always finds the change stored. FastAPI's default would commit after sending.
SESSION = Depends(get_session, scope="function")


@contextmanager
def invalid_as_422() -> Iterator[None]:
    """A rule the request's content breaks answers 422 with its message; NotFound (404) and
    Refused (409) go to the app's handlers."""
    try:
        yield
    except (NotFound, Refused):
        raise
    except GoodpathError as exc:
        raise HTTPException(422, str(exc)) from None


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotFound)
    async def not_found(_: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(Refused)
    async def refused(_: Request, exc: Refused) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=409)

    @app.exception_handler(ListFormatError)
    async def bad_list(_: Request, exc: ListFormatError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)
