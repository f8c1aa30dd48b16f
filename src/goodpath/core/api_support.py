"""What every API router shares: a session per request and error mapping."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from goodpath.core.db import session_scope
from goodpath.core.errors import NotFound, Refused
from goodpath.lists.records import ListFormatError


def get_session() -> Iterator[Session]:
    """One transaction per request."""
    with session_scope() as session:
        yield session


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
