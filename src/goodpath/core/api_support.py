"""What every API router shares: a session per request, and one shape for every error answer.

Every 4xx (and 5xx) answer of the API is ``ErrorBody``: ``{"detail": "<a message for a person>"}``,
with ``"errors": [{"loc", "msg", "type"}]`` added when the request failed validation (422). The
handlers here produce it from NotFound (404), Refused (409), MalformedInput (a bad list file) and rule breaches
(422), FastAPI's HTTPException (401, 403, 429 ... with their headers) and request validation
errors; the OpenAPI spec declares it for every operation (``declare_errors``). Pages of the web
UI (routes left out of the spec) draw their own HTML errors: see ``goodpath.web``. Every route
refuses a NUL character in its input (``INPUT_CHECKS``); a value the database refuses all the same
is a 422 too (``unstorable``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from goodpath.core import followup_runner, followups
from goodpath.core.db import session_scope
from goodpath.core.errors import GoodpathError, MalformedInput, NotFound, Refused

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


class ErrorItem(BaseModel):
    loc: list[str | int] = Field(description="Where: body, query, path, header or cookie, then the field")
    msg: str = Field(description="What is wrong there")
    type: str = Field(description="The kind of error, e.g. less_than_equal, missing")


class ErrorBody(BaseModel):
    """The body of every error answer."""

    detail: str = Field(description="What went wrong, for a person to read")
    errors: list[ErrorItem] = Field(default_factory=list, description="Validation errors (422 only), where and why")


ERROR_STATUSES = {
    400: "The request body could not be read (malformed JSON or multipart data)",
    401: "Login required, or the API token is invalid, expired or revoked",
    403: "Not allowed: a permission is missing (or the browser's CSRF token)",
    404: "No such record, or the caller may not see it",
    409: "Refused: the request would break a rule; nothing was changed",
    413: "The upload is larger than allowed",
    422: "The request's content is invalid: a parameter out of bounds, a field missing or malformed",
    429: "Too many attempts: try again after Retry-After seconds",
}
MAX_SUMMARISED = 5


def error_response(status_code: int, detail: str, *, errors: list[dict] | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:  # fmt: skip
    body: dict[str, Any] = {"detail": detail}
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status_code, headers=headers)


def validation_errors(exc: RequestValidationError) -> list[dict]:
    """FastAPI's validation errors without the rejected input (never echoed back)."""
    return [
        {"loc": [p if isinstance(p, int) else str(p) for p in e.get("loc", ())],
         "msg": str(e.get("msg", "")).removeprefix("Value error, "), "type": str(e.get("type", ""))}
        for e in exc.errors()
    ]  # fmt: skip


def validation_summary(errors: list[dict]) -> str:
    parts = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors[:MAX_SUMMARISED]]
    more = len(errors) - MAX_SUMMARISED
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "") if parts else "invalid request"


async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
    errors = validation_errors(exc)
    return error_response(422, validation_summary(errors), errors=errors)


async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    return error_response(exc.status_code, detail, headers=getattr(exc, "headers", None))


async def unstorable(_: Request, exc: DataError) -> JSONResponse:
    """A value the database refused (PostgreSQL: text with a NUL, a number out of its column's range)
    that no check caught before: the request's fault, nothing was stored (the transaction rolled back)."""
    log.warning("a request's value was refused by the database: %s", exc.orig, exc_info=exc)
    return error_response(422, "the request holds a value the database cannot store")


async def changed_meanwhile(_: Request, exc: StaleDataError) -> JSONResponse:
    """A versioned record (core.workflow) written by another request at the same time, outside a
    workflow step (which says who and what): the later write is refused, nothing was stored."""
    log.info("a write lost the race for a record's version: %s", exc)
    return error_response(409, "the record was changed by someone else at the same time: nothing was changed; "
                               "read it again and retry")  # fmt: skip


NUL_ERROR = {"msg": "text cannot hold a NUL character", "type": "nul_character"}


async def refuse_nul(request: Request) -> None:
    """A NUL character in a request's path, query or JSON or form body is refused (422) before any
    route runs: PostgreSQL can neither store nor compare text holding one (SQLite would store it)."""
    errors = [{"loc": ["path"], **NUL_ERROR}] if "\x00" in request.url.path else []
    errors += [{"loc": ["query", key], **NUL_ERROR} for key, value in request.query_params.multi_items()
               if "\x00" in key or "\x00" in value]  # fmt: skip
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type in ("application/json", "application/x-www-form-urlencoded"):
        body = await request.body()  # kept by the request: the route reads it again
        if media_type == "application/json" and b"\\u0000" in body:
            errors += [{"loc": ["body", *where], **NUL_ERROR} for where in _nul_places(_json_or_none(body))]
        elif media_type != "application/json" and (b"%00" in body or b"\x00" in body):
            pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
            errors += [{"loc": ["body", key], **NUL_ERROR} for key, value in pairs if "\x00" in key + value]
    if errors:
        raise RequestValidationError(errors)


def _json_or_none(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None  # FastAPI answers the malformed body itself


def _nul_places(value: Any, where: tuple = ()) -> Iterator[tuple]:
    if isinstance(value, str):
        if "\x00" in value:
            yield where
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from (where + (key,),) if "\x00" in key else _nul_places(item, where + (key,))
    elif isinstance(value, list):
        for number, item in enumerate(value):
            yield from _nul_places(item, where + (number,))


INPUT_CHECKS = [Depends(refuse_nul)]  # every route's, pages' too: FastAPI(dependencies=INPUT_CHECKS)


def install_error_handlers(app: FastAPI) -> None:
    """The handlers of every error, and their declaration in the app's OpenAPI spec."""

    @app.exception_handler(NotFound)
    async def not_found(_: Request, exc: NotFound) -> JSONResponse:
        return error_response(404, str(exc))

    @app.exception_handler(Refused)
    async def refused(_: Request, exc: Refused) -> JSONResponse:
        return error_response(409, str(exc))

    @app.exception_handler(MalformedInput)
    async def bad_list(_: Request, exc: MalformedInput) -> JSONResponse:
        return error_response(422, str(exc))

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(DataError, unstorable)
    app.add_exception_handler(StaleDataError, changed_meanwhile)
    spec = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = declare_errors(spec())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


# --- the spec ------------------------------------------------------------------------------------

ERROR_REF = "#/components/schemas/ErrorBody"
EXPORT_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
UNAUTHENTICATED = {"/health", "/healthz", "/readyz"}  # answer without looking at credentials


def declare_errors(spec: dict) -> dict:
    """``spec`` with ErrorBody as the schema of every error answer (in place of FastAPI's
    HTTPValidationError) and the errors every operation can answer declared: 401 and 403 (any
    credential is checked), 404 (an id or key that names nothing readable), 409 (a write refused),
    400 (an unreadable body), 413 (an upload past its limit) and 422 (invalid input); codes a route
    declares itself (429) keep their place. A ``format`` parameter of csv/xlsx declares the
    download's media types."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    for model in (ErrorItem, ErrorBody):
        schemas[model.__name__] = model.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas["ErrorBody"].pop("$defs", None)
    for path, operations in spec.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for code in _error_codes(path, method, operation, responses):
                declared = responses.setdefault(str(code), {})
                declared["description"] = declared.get("description") or ERROR_STATUSES.get(code, "Error")
                if declared["description"] == "Validation Error":
                    declared["description"] = ERROR_STATUSES[422]
                declared["content"] = {"application/json": {"schema": {"$ref": ERROR_REF}}}
            _declare_exports(operation, responses)
            operation["responses"] = dict(sorted(responses.items()))
    return spec


def _error_codes(path: str, method: str, operation: dict, responses: dict) -> list[int]:
    codes = {int(c) for c in responses if c.isdigit() and int(c) >= 400}
    if path in UNAUTHENTICATED:
        return sorted(codes)
    codes |= {401, 403, 404}
    if operation.get("parameters") or operation.get("requestBody"):
        codes.add(422)
    if operation.get("requestBody"):
        codes.add(400)
    if method.lower() != "get":
        codes.add(409)
    if "multipart/form-data" in operation.get("requestBody", {}).get("content", {}):
        codes.add(413)  # every upload has its size limit (goodpath.core.uploads)
    return sorted(codes)


def _declare_exports(operation: dict, responses: dict) -> None:
    formats = next((_enum(p.get("schema", {})) for p in operation.get("parameters", [])
                    if p.get("in") == "query" and p.get("name") == "format"), set())  # fmt: skip
    ok = next((responses[c] for c in ("200", "201") if c in responses), None)
    if ok is None:
        return
    for fmt in sorted(formats & set(EXPORT_TYPES)):
        ok.setdefault("content", {}).setdefault(EXPORT_TYPES[fmt], {"schema": {"type": "string", "format": "binary"}})


def _enum(schema: dict) -> set[str]:
    values = set(schema.get("enum", ()))
    for option in schema.get("anyOf", ()):
        values |= _enum(option)
    return values
