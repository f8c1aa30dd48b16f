"""What the server tells its operators about itself: request metrics and a JSON access log.

``RequestTelemetry`` wraps the app (ASGI middleware). For every HTTP request it
- takes the caller's ``X-Request-ID`` when it is a plain token (letters, digits, ``-_.``, at most 64),
  else makes one, and sends it back on the response;
- counts the request by method, *route template* and status, and observes its duration
  (Prometheus metrics in ``REGISTRY``; the screening routes also in a screening histogram);
- writes one JSON line to the ``goodpath.access`` logger: time, request id, method, route template,
  status, duration, and the user name when a login resolved one.

Never a path or a query string as sent: screened names travel in them (``GET /screen?name=``,
``/parties/{key}``), and neither metrics nor logs may hold a screened name or a record's content.
A path that matches no route is counted as ``<unmatched>``, so a scan of random URLs cannot grow
the metrics without bound.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REGISTRY = CollectorRegistry(auto_describe=True)
UNMATCHED = "<unmatched>"
SCREENING_ROUTES = frozenset({"/screen", "/screen/batch"})
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# Latency buckets from a cached lookup (1 ms) to a slow page (10 s).
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter(
    "goodpath_http_requests", "HTTP requests answered, by method, route template and status.",
    ("method", "route", "status"), registry=REGISTRY,
)  # fmt: skip
LATENCY = Histogram(
    "goodpath_http_request_duration_seconds", "Time to answer an HTTP request, by method and route template.",
    ("method", "route"), buckets=_BUCKETS, registry=REGISTRY,
)  # fmt: skip
SCREENING_LATENCY = Histogram(
    "goodpath_screening_duration_seconds", "Time to answer a screening request (POST /screen and batch uploads).",
    buckets=_BUCKETS, registry=REGISTRY,
)  # fmt: skip

access_log = logging.getLogger("goodpath.access")


def request_id_of(headers: list[tuple[bytes, bytes]]) -> str:
    """The caller's request id when it is a plain token, else a new one."""
    for name, value in headers:
        if name == b"x-request-id":
            text = value.decode("latin-1").strip()
            if _REQUEST_ID.fullmatch(text):
                return text
            break
    return uuid.uuid4().hex


def route_template(scope: Scope) -> str:
    """The matched route's path template (``/parties/{party_id}``), never the path as sent."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED


class RequestTelemetry:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope.get("headers") or [])
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500  # what an exception escaping the app becomes

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = route_template(scope)
            method = scope.get("method", "GET")
            REQUESTS.labels(method, route, str(status)).inc()
            LATENCY.labels(method, route).observe(elapsed)
            if route in SCREENING_ROUTES and method == "POST":
                SCREENING_LATENCY.observe(elapsed)
            if access_log.isEnabledFor(logging.INFO):
                access_log.info(
                    "request", extra={"request_id": request_id, "method": method, "route": route, "status": status,
                                      "duration_ms": round(elapsed * 1000, 2), "user": _user(scope)},
                )  # fmt: skip


def _user(scope: Scope) -> str | None:
    viewer = (scope.get("state") or {}).get("viewer")
    return getattr(viewer, "username", None) if viewer is not None else None


# --- JSON logs ---------------------------------------------------------------------------------

_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, and the record's extras."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def json_logging(level: int = logging.INFO) -> dict:
    """A ``logging.config.dictConfig`` for the server: goodpath's loggers and uvicorn's as JSON lines on
    stderr; uvicorn's own access log is off (it would print paths with their query strings)."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": sys.stderr}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"stderr": handler},
        "loggers": {
            "goodpath": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn.error": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn.access": {"handlers": [], "level": logging.WARNING, "propagate": False},
        },
    }
