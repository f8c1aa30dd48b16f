"""How the server is doing, for its operators: ``/metrics`` (Prometheus), ``/healthz``, ``/readyz``.

- ``/healthz``: the process answers (nothing else is checked: a load balancer restarts what fails it).
- ``/readyz``: ready for traffic: the database answers, this process's screening index is loaded and
  current, and every list was imported within ``GOODPATH_MAX_LIST_AGE_DAYS`` (30 by default); 503 with
  the checks that failed otherwise.
- ``/metrics``: the request metrics of ``core.telemetry`` and, read from the database at each scrape,
  the age of each dataset's newest list version, the screening index (loaded, current, names), batch
  screening jobs by status with the rows they have screened, and list import jobs by status. Counts
  and timings only: never a screened name nor a record's content. Readable by administrators, or
  from this machine (a Prometheus scraping the loopback address).
"""

from __future__ import annotations

import ipaddress
import logging
import os
import time

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from goodpath import __version__
from goodpath.access.deps import current_viewer
from goodpath.access.policy import Role, Viewer
from goodpath.core.api_support import SESSION
from goodpath.core.db import session_scope
from goodpath.core.models import utcnow
from goodpath.core.telemetry import REGISTRY
from goodpath.lists.models import ListImportJob, ListVersion
from goodpath.screening import service as screening
from goodpath.screening.batch_jobs import ScreeningJob

router = APIRouter(tags=["system"])
DEFAULT_MAX_LIST_AGE_DAYS = 30.0


def max_list_age_days() -> float:
    return float(os.environ.get("GOODPATH_MAX_LIST_AGE_DAYS") or DEFAULT_MAX_LIST_AGE_DAYS)


def list_ages(session: Session) -> dict[str, float]:
    """Seconds since each dataset's newest list version was imported."""
    now = utcnow().timestamp()
    rows = session.execute(select(ListVersion.dataset, func.max(ListVersion.imported_at)).group_by(ListVersion.dataset))
    return {dataset: max(0.0, now - _timestamp(at)) for dataset, at in rows if at is not None}


def _timestamp(moment) -> float:
    # SQLite gives back naive datetimes: they were stored in UTC.
    return moment.timestamp() if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo).timestamp()


def readiness(session: Session) -> dict:
    """Each check's result; ``ready`` when all pass."""
    checks: dict[str, dict] = {}
    try:
        session.execute(text("SELECT 1"))
        checks["database"] = {"ok": True}
    except Exception as exc:  # noqa: BLE001 -- any failure to reach the database means not ready
        checks["database"] = {"ok": False, "why": type(exc).__name__}
        return {"ready": False, "checks": checks}
    index = screening.index_state(session)
    checks["screening_index"] = {"ok": index["loaded"] and index["current"], **index}
    limit = max_list_age_days() * 86400
    ages = list_ages(session)
    stale = sorted(d for d, age in ages.items() if age > limit)
    checks["lists"] = {"ok": bool(ages) and not stale, "datasets": len(ages), "older_than_limit": stale,
                       "limit_days": max_list_age_days()}  # fmt: skip
    return {"ready": all(c["ok"] for c in checks.values()), "checks": checks}


@router.get("/healthz")
def healthz() -> dict:
    """The process is up (nothing else is checked)."""
    return {"status": "ok", "version": __version__}


@router.get("/readyz", responses={503: {"description": "Not ready: the checks that failed"}})
def readyz(response: Response, session: Session = SESSION) -> dict:
    """Ready for traffic: database reachable, screening index loaded and current, lists younger than
    GOODPATH_MAX_LIST_AGE_DAYS. 503 otherwise, with each check's result."""
    result = readiness(session)
    if not result["ready"]:
        response.status_code = 503
    return result


def _from_this_machine(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@router.get("/metrics", response_class=Response, responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}})
def metrics(request: Request, viewer: Viewer = Depends(current_viewer)) -> Response:
    """Prometheus metrics (text format): for administrators, or from this machine."""
    if not _from_this_machine(request):
        if viewer.role is Role.PUBLIC:
            raise HTTPException(401, "log in, or scrape from this machine")
        if viewer.role is not Role.ADMIN:
            raise HTTPException(403, "metrics are for administrators")
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


# --- tracing (OpenTelemetry): off unless GOODPATH_OTEL is set ---------------------------------------

OTEL_EXTRA = "pip install 'goodpath[otel]'"
# Span attributes that carry the URL as sent, query string included: screened names travel there.
_URL_ATTRIBUTES = ("http.url", "url.full", "http.target")


def tracing_wanted() -> bool:
    return (os.environ.get("GOODPATH_OTEL") or "").strip().lower() in {"1", "true", "yes", "on"}


def _without_query(span, scope: dict) -> None:
    """The request's span keeps its path, never its query string."""
    if span is None or not span.is_recording():
        return
    path = scope.get("path", "")
    span.set_attribute("url.query", "")
    span.set_attribute("http.target", path)
    host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
    span.set_attribute("http.url", f"{scope.get('scheme', 'http')}://{host}{path}")
    span.set_attribute("url.full", f"{scope.get('scheme', 'http')}://{host}{path}")


def install_tracing(app, exporter=None) -> bool:
    """Trace requests with OpenTelemetry when GOODPATH_OTEL is set: spans go to the OTLP/HTTP endpoint
    of the standard OTEL_EXPORTER_OTLP_* variables (or to ``exporter``), named ``goodpath`` unless
    OTEL_SERVICE_NAME says otherwise; /healthz, /readyz and /metrics are not traced. Returns whether
    tracing is on. Without the optional packages it says what to install and carries on."""
    if not tracing_wanted() and exporter is None:
        return False
    try:
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor  # noqa: PLC0415 -- optional extra
        from opentelemetry.sdk.resources import Resource  # noqa: PLC0415
        from opentelemetry.sdk.trace import TracerProvider  # noqa: PLC0415
        from opentelemetry.sdk.trace.export import BatchSpanProcessor  # noqa: PLC0415
    except ImportError:
        logging.getLogger("goodpath.observability").warning(
            "GOODPATH_OTEL is set but OpenTelemetry is not installed: %s", OTEL_EXTRA
        )
        return False
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter  # noqa: PLC0415

        exporter = OTLPSpanExporter()
    service = os.environ.get("OTEL_SERVICE_NAME") or "goodpath"
    provider = TracerProvider(resource=Resource.create({"service.name": service, "service.version": __version__}))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, server_request_hook=_without_query,
                                       excluded_urls="healthz,readyz,metrics")  # fmt: skip
    app.state.tracer_provider = provider
    return True


class StoredFacts:
    """A Prometheus collector reading, at each scrape, what the database says about the service."""

    def describe(self):
        return []  # nothing to register ahead: the families are read at collect time

    def collect(self):
        started = time.perf_counter()
        try:
            with session_scope() as session:
                yield from self._families(session)
        except Exception:  # noqa: BLE001 -- a scrape must not fail because the database did
            up = GaugeMetricFamily("goodpath_database_up", "1 when the database answered the scrape's queries.")
            up.add_metric([], 0)
            yield up
            return
        took = GaugeMetricFamily("goodpath_scrape_database_seconds", "Time the scrape's database queries took.")
        took.add_metric([], time.perf_counter() - started)
        yield took

    def _families(self, session: Session):
        up = GaugeMetricFamily("goodpath_database_up", "1 when the database answered the scrape's queries.")
        up.add_metric([], 1)
        yield up
        age = GaugeMetricFamily("goodpath_list_age_seconds", "Seconds since the dataset's newest list version was "
                                "imported.", labels=["dataset"])  # fmt: skip
        for dataset, seconds in sorted(list_ages(session).items()):
            age.add_metric([dataset], seconds)
        yield age
        state = screening.index_state(session)
        index = GaugeMetricFamily("goodpath_screening_index", "This process's screening index: loaded, current "
                                  "(built from what is stored now) and names held.", labels=["what"])  # fmt: skip
        for what in ("loaded", "current", "names"):
            index.add_metric([what], float(state[what]))
        yield index
        jobs = GaugeMetricFamily("goodpath_batch_jobs", "Batch screening jobs by status (queued ones are the queue "
                                 "depth).", labels=["status"])  # fmt: skip
        rows = GaugeMetricFamily("goodpath_batch_rows_screened", "Rows screened by batch jobs, by job status "
                                 "(a rate of its sum is rows per second).", labels=["status"])  # fmt: skip
        for status, count, done in session.execute(
            select(ScreeningJob.status, func.count(ScreeningJob.id), func.coalesce(func.sum(ScreeningJob.rows_done), 0))
            .group_by(ScreeningJob.status)
        ):  # fmt: skip
            jobs.add_metric([status], count)
            rows.add_metric([status], done)
        yield jobs
        yield rows
        imports = GaugeMetricFamily("goodpath_list_import_jobs", "List import jobs by status.", labels=["status"])
        for status, count in session.execute(
            select(ListImportJob.status, func.count(ListImportJob.id)).group_by(ListImportJob.status)
        ):
            imports.add_metric([status], count)
        yield imports


REGISTRY.register(StoredFacts())
