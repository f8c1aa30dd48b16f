"""Batch screening jobs of the API: an uploaded CSV screened in the background.

A job's files live in ``<jobs_dir>/<job id>/`` (input.csv, result.csv, rejects.csv). Jobs run
one at a time, in a background thread of the server process, each with ``batch_workers``
forked screening processes. While a job is queued or running, a heartbeat thread stamps it
every few seconds; a job whose stamp is older than ``STALE_AFTER`` (its server stopped or
crashed) is shown, and recorded, as ``interrupted`` instead of running for ever.

A job belongs to the user who started it: to anyone else it does not exist.
"""

from __future__ import annotations

import atexit
import contextlib
import csv
import itertools
import logging
import queue
import secrets
import shutil
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from goodpath.access.models import aware
from goodpath.access.policy import Viewer
from goodpath.core.db import new_session
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.core.models import Base, utcnow
from goodpath.core.settings import get_settings
from goodpath.screening.batch import BatchInputError, estimate_rows, run_batch

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED, INTERRUPTED = "queued", "running", "done", "failed", "interrupted"
ACTIVE = (QUEUED, RUNNING)
HEARTBEAT_SECONDS = 5.0
STALE_AFTER = timedelta(seconds=60)
PROGRESS_EVERY = 1.0  # seconds between progress writes
STOPPED = "the server stopped before the job finished: start it again"
ERRORS_SHOWN = 20  # the first rejected rows, in the job's status
INPUT, RESULT, REJECTS = "input.csv", "result.csv", "rejects.csv"


class ScreeningJob(Base):
    __tablename__ = "screening_job"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random: not guessable
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[str] = mapped_column(String(120))
    filename: Mapped[str] = mapped_column(String(255))  # as uploaded
    status: Mapped[str] = mapped_column(String(16), default=QUEUED)
    threshold: Mapped[float] = mapped_column(Float)
    hit_limit: Mapped[int] = mapped_column(Integer)
    include_suppressed: Mapped[bool] = mapped_column(Boolean, default=False)
    rows_total: Mapped[int | None] = mapped_column(Integer)  # estimated from line ends, exact when done
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    screened: Mapped[int] = mapped_column(Integer, default=0)
    hits: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list] = mapped_column(JSON, default=list)  # the first rejected rows: [{line, id, reason}]
    error: Mapped[str | None] = mapped_column(Text)  # why the job failed
    receipt: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


def job_folder(job_id: str) -> Path:
    return get_settings().jobs_dir / job_id


def new_job_id() -> str:
    return secrets.token_hex(16)


def create_job(
    session: Session, viewer: Viewer, job_id: str, filename: str, *, threshold: float, limit: int,
    include_suppressed: bool,
) -> ScreeningJob:  # fmt: skip
    """Record a queued job whose input is already at ``job_folder(job_id) / INPUT`` (checked by the caller)."""
    if viewer.user_id is None:
        raise Refused("only a logged-in user can start a batch screening")
    job = ScreeningJob(
        id=job_id, user_id=viewer.user_id, created_by=viewer.actor, filename=filename[:255], status=QUEUED,
        threshold=threshold, hit_limit=limit, include_suppressed=include_suppressed,
        rows_total=estimate_rows(job_folder(job_id) / INPUT), rows_done=0, errors=[], heartbeat_at=utcnow(),
    )  # fmt: skip
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, viewer: Viewer, job_id: str) -> ScreeningJob:
    """The viewer's own job (NotFound for anyone else's), with a dead server's job marked interrupted."""
    job = session.get(ScreeningJob, job_id) if len(job_id) <= 32 else None
    if job is None or viewer.user_id is None or job.user_id != viewer.user_id:
        raise NotFound(f"no batch screening job {job_id!r}")
    _reconcile(session, job)
    return job


def list_jobs(session: Session, viewer: Viewer, limit: int = 50) -> list[ScreeningJob]:
    if viewer.user_id is None:
        return []
    jobs = session.scalars(
        select(ScreeningJob)
        .where(ScreeningJob.user_id == viewer.user_id)
        .order_by(ScreeningJob.created_at.desc(), ScreeningJob.id)
        .limit(limit)
    ).all()
    for job in jobs:
        _reconcile(session, job)
    return list(jobs)


def _reconcile(session: Session, job: ScreeningJob) -> None:
    if job.status not in ACTIVE:
        return
    if job.id in _runner.live:
        return  # this process is running or queueing it
    beat = aware(job.heartbeat_at) or aware(job.created_at)
    if beat is None or utcnow() - beat > STALE_AFTER:
        job.status = INTERRUPTED
        job.error = STOPPED
        job.finished_at = utcnow()
        session.flush()
        for partial in job_folder(job.id).glob(".*.partial"):  # what the dead run was writing
            partial.unlink(missing_ok=True)


def result_file(session: Session, viewer: Viewer, job_id: str, which: str) -> tuple[ScreeningJob, Path]:
    """The result (``which="result"``) or rejects file of a finished job of the viewer."""
    job = get_job(session, viewer, job_id)
    if job.status in ACTIVE:
        raise Refused(f"batch screening job {job_id} is {job.status}: its files are ready when its status is done")
    if job.status != DONE:
        raise Refused(f"batch screening job {job_id} {job.status}: it has no result ({job.error})")
    path = job_folder(job.id) / (RESULT if which == "result" else REJECTS)
    if not path.is_file():
        raise NotFound(f"the files of batch screening job {job_id} are no longer kept")
    return job, path


def to_dict(job: ScreeningJob) -> dict:
    base = f"/screen/batch/{job.id}"
    done = job.status == DONE
    return {
        "id": job.id,
        "status": job.status,
        "filename": job.filename,
        "params": {"threshold": job.threshold, "limit": job.hit_limit, "include_suppressed": job.include_suppressed},
        "progress": {"rows_done": job.rows_done, "rows_total": job.rows_total},
        # Final counts once the job is done (null before).
        "counts": {
            "rows": job.rows_done if done else None,
            "screened": job.screened if done else None,
            "hits": job.hits if done else None,
            "rejected": job.rejected if done else None,
        },
        "errors": list(job.errors or []),
        "error": job.error,
        "receipt": job.receipt,
        "created_by": job.created_by,
        "created_at": _iso(job.created_at),
        "started_at": _iso(job.started_at),
        "finished_at": _iso(job.finished_at),
        "links": {"self": base, "result": f"{base}/result", "rejects": f"{base}/rejects"},
    }


def _iso(moment: datetime | None) -> str | None:
    return aware(moment).isoformat() if moment is not None else None


def discard_upload(job_id: str) -> None:
    shutil.rmtree(job_folder(job_id), ignore_errors=True)


# --- running ----------------------------------------------------------------------------


class _Runner:
    """One background thread running queued jobs in turn, and one stamping their heartbeat."""

    def __init__(self) -> None:
        self.live: dict[str, str] = {}  # queued or running job id -> its database URL
        self._queue: queue.Queue[tuple[str, str, Viewer, Path]] = queue.Queue()
        self._lock = threading.Lock()
        self._started = False

    def submit(self, job_id: str, database_url: str, viewer: Viewer, folder: Path) -> None:
        with self._lock:
            self.live[job_id] = database_url
            if not self._started:
                threading.Thread(target=self._work, name="goodpath-batch-jobs", daemon=True).start()
                threading.Thread(target=self._beat, name="goodpath-batch-heartbeat", daemon=True).start()
                atexit.register(self._interrupt_live)
                self._started = True
        self._queue.put((job_id, database_url, viewer, folder))

    def _work(self) -> None:
        while True:
            job_id, url, viewer, folder = self._queue.get()
            try:
                run_job(job_id, url, viewer, folder)
            except Exception:  # noqa: BLE001 - recorded on the job; the thread must go on
                log.exception("batch screening job %s failed", job_id)
            finally:
                with self._lock:
                    self.live.pop(job_id, None)

    def _interrupt_live(self) -> None:
        """The server is stopping (cleanly): its unfinished jobs are interrupted, at once."""
        with self._lock:
            by_url: dict[str, list[str]] = {}
            for job_id, url in self.live.items():
                by_url.setdefault(url, []).append(job_id)
        for url, job_ids in by_url.items():
            with contextlib.suppress(Exception), new_session(url) as session, session.begin():
                session.execute(
                    update(ScreeningJob)
                    .where(ScreeningJob.id.in_(job_ids), ScreeningJob.status.in_(ACTIVE))
                    .values(status=INTERRUPTED, error=STOPPED, finished_at=utcnow())
                )

    def _beat(self) -> None:
        while True:
            time.sleep(HEARTBEAT_SECONDS)
            with self._lock:
                by_url: dict[str, list[str]] = {}
                for job_id, url in self.live.items():
                    by_url.setdefault(url, []).append(job_id)
            for url, job_ids in by_url.items():
                try:
                    with new_session(url) as session, session.begin():
                        session.execute(
                            update(ScreeningJob)
                            .where(ScreeningJob.id.in_(job_ids), ScreeningJob.status.in_(ACTIVE))
                            .values(heartbeat_at=utcnow())
                        )
                except Exception:  # noqa: BLE001 - a missed beat is retried; many mean "interrupted"
                    log.warning("could not record the batch jobs' heartbeat", exc_info=True)


_runner = _Runner()


def submit(job: ScreeningJob, database_url: str, viewer: Viewer) -> None:
    """Queue a committed job for the background thread."""
    _runner.submit(job.id, database_url, viewer, job_folder(job.id))


def run_job(job_id: str, database_url: str, viewer: Viewer, folder: Path) -> None:
    """Run one job to the end, recording its progress, counts and outcome (called by the runner)."""
    with new_session(database_url) as session:
        job = session.get(ScreeningJob, job_id)
        if job is None or job.status != QUEUED:
            return
        job.status, job.started_at, job.heartbeat_at = RUNNING, utcnow(), utcnow()
        session.commit()
        last = 0.0

        try:
            with new_session(database_url) as work:

                def progress(rows_done: int) -> None:
                    nonlocal last
                    if work.in_transaction():
                        # The index and dispositions are loaded: end the read transaction, which
                        # would otherwise stay open (idle) for the whole run.
                        work.commit()
                    now = time.monotonic()
                    if now - last < PROGRESS_EVERY:
                        return
                    last = now
                    try:
                        job.rows_done, job.heartbeat_at = rows_done, utcnow()
                        job.rows_total = max(job.rows_total or 0, rows_done)
                        session.commit()
                    except Exception:  # noqa: BLE001 - a progress write is not worth the job
                        session.rollback()
                        log.warning("could not record the progress of batch job %s", job_id, exc_info=True)

                summary = run_batch(
                    work, viewer, folder / INPUT, folder / RESULT, threshold=job.threshold, limit=job.hit_limit,
                    rejects_path=folder / REJECTS, workers=get_settings().batch_workers,
                    include_suppressed=job.include_suppressed, progress=progress,
                )  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - the user sees why in the job's status
            session.rollback()
            if job.status != RUNNING:  # interrupted meanwhile: the server is stopping
                return
            job.status, job.finished_at = FAILED, utcnow()
            job.error = str(exc) if isinstance(exc, GoodpathError) else f"internal error ({exc.__class__.__name__})"
            session.commit()
            if not isinstance(exc, BatchInputError):
                raise
            return
        job.status, job.finished_at, job.heartbeat_at = DONE, utcnow(), utcnow()
        job.rows_done = job.rows_total = summary.rows
        job.screened, job.hits, job.rejected = summary.screened, summary.hits, summary.rejected
        job.receipt = summary.receipt
        job.errors = _first_rejects(folder / REJECTS)
        session.commit()


def _first_rejects(path: Path) -> list[dict]:
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            rows = csv.DictReader(handle)
            return [
                {"line": int(r["line"]), "id": r["id"], "reason": r["reason"]}
                for r in itertools.islice(rows, ERRORS_SHOWN)
            ]
    except (OSError, ValueError, KeyError):
        return []
