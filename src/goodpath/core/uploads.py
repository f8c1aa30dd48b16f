"""Uploads: each upload route's size limit (settings), enforced while the body streams in, and the
copy of an uploaded file to disk in chunks.

- ``UploadLimits`` (ASGI middleware) knows the upload routes of the API and the web pages. A request
  whose Content-Length is above its route's limit is refused before its body is read; one without a
  Content-Length (chunked) is cut off once it passes the limit. The refusal is ``UploadTooLarge``
  (413, one message), raised where the route reads its body, so that the API answers it as any other
  error and a page draws it as a page. Starlette spools the files of a multipart form to temporary
  files; they are closed, and so removed, when the request ends, fails or its client goes away.
- ``save_upload`` copies an uploaded file to a path in chunks; past its limit the copy is removed and
  ``UploadTooLarge`` raised. ``read_upload`` reads one into memory, up to its limit.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from starlette.datastructures import Headers, UploadFile
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from goodpath.core.settings import get_settings

CHUNK = 1 << 20
FORM_ALLOWANCE = 256 << 10  # multipart headers and the form's text fields, beyond the files themselves
CABLE_FILES = 5  # one upload of cables may carry this many files' worth (each file within its own limit)

# (path, kind, files' worth per request) of every POST route that takes files.
UPLOAD_ROUTES: tuple[tuple[re.Pattern[str], str, int], ...] = (
    (re.compile(r"/lists/imports/?"), "lists", 1),
    (re.compile(r"(/ui)?/cables/?"), "cables", CABLE_FILES),
    (re.compile(r"(/ui)?/evidence(/[^/]+/versions)?/?"), "evidence", 1),
    (re.compile(r"/screen/batch/?|/ui/screening/batch/?"), "batch", 1),
)
WHAT = {
    "lists": "the files of a list import",
    "cables": "a cable file or zip archive",
    "evidence": "an evidence document",
    "batch": "a batch screening file",
}


class UploadTooLarge(HTTPException):
    """413: an upload (or the request carrying it) is larger than its route allows."""

    def __init__(self, kind: str, limit: int, *, request_of: int = 1) -> None:
        allowed = f"{size_text(limit)} for {WHAT[kind]}"
        if request_of > 1:
            allowed += f", {size_text(limit * request_of)} for one upload of several"
        super().__init__(413, f"the upload is too large: at most {allowed}")
        self.kind, self.limit = kind, limit


def size_text(limit: int) -> str:
    """A size for people: 25 MB, 8 KB."""
    mb = limit / (1024 * 1024)
    return f"{mb:g} MB" if mb >= 1 else f"{limit / 1024:g} KB"


def limit_of(kind: str) -> int:
    """The upload limit of a kind of route (lists, cables, evidence, batch), in bytes, from the settings."""
    return get_settings().intake.upload_limit(kind)


def route_kind(method: str, path: str) -> tuple[str, int] | None:
    """The kind of upload a request carries and its files' worth, or None for a route without files."""
    if method != "POST":
        return None
    for pattern, kind, files in UPLOAD_ROUTES:
        if pattern.fullmatch(path):
            return kind, files
    return None


class UploadLimits:
    """Refuse an upload request above its route's limit, by its Content-Length or as it streams in."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = route_kind(scope.get("method", ""), scope.get("path", "")) if scope["type"] == "http" else None
        if found is None:
            await self.app(scope, receive, send)
            return
        kind, files = found
        limit = limit_of(kind)
        cap = limit * files + FORM_ALLOWANCE
        declared = _content_length(scope)
        received = 0

        async def limited() -> Message:
            nonlocal received
            if declared is not None and declared > cap:
                raise UploadTooLarge(kind, limit, request_of=files)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    raise UploadTooLarge(kind, limit, request_of=files)
            return message

        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, watched)
        except UploadTooLarge as exc:  # raised where no handler answers it (the body read outside a route)
            if started:
                raise
            await JSONResponse({"detail": exc.detail}, status_code=413)(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    try:
        return int(Headers(scope=scope).get("content-length", ""))
    except ValueError:
        return None


def save_upload(upload: UploadFile, target: Path, kind: str, *, limit: int | None = None) -> int:
    """Copy ``upload`` to ``target`` in chunks (blocking: call it from a thread); its size.
    Past the kind's limit the copy is removed and UploadTooLarge raised."""
    limit = limit_of(kind) if limit is None else limit
    size = 0
    try:
        upload.file.seek(0)
        with open(target, "xb") as out:
            while block := upload.file.read(CHUNK):
                size += len(block)
                if size > limit:
                    raise UploadTooLarge(kind, limit_of(kind))
                out.write(block)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return size


def read_upload(upload: UploadFile, kind: str) -> bytes:
    """The content of ``upload`` (blocking: call it from a thread), or UploadTooLarge past the kind's limit."""
    limit = limit_of(kind)
    upload.file.seek(0)
    data = upload.file.read(limit + 1)
    if len(data) > limit:
        raise UploadTooLarge(kind, limit)
    return data


def remove_folder(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
