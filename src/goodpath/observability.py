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
