"""List imports over the API, as jobs: the uploaded files are imported in the background.

``POST /lists/imports`` streams the files to ``<jobs_dir>/imports/<job id>/``, records a queued job
and answers 202 at once; one background thread of the server runs the jobs in turn, each import in
a database session of its own, off the event loop. The files are removed when the job ends (done,
failed, refused) or is found interrupted. While a job runs, the import's stage and progress are
kept in memory (cheap, and shown by this process); a heartbeat thread stamps it, so that a job whose
server stopped is shown, and recorded, as ``interrupted`` once its stamp is older than STALE_AFTER.
What follows an import (goodpath.consequences) is recorded by the import itself and run right after
the job's commit, as after a request's.

Who sees a job: every user who may import lists. An import changes the registry that everyone
screens against, and a concurrent import is refused naming the other one, so the analysts share
the jobs (as they share the list versions); anyone else is refused by the routes (403).
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import queue
import secrets
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from goodpath.access.models import aware
from goodpath.access.policy import Permission, Viewer, can
from goodpath.core import followup_runner, followups
from goodpath.core.db import new_session
from goodpath.core.errors import GoodpathError, NotFound, Refused
from goodpath.core.models import utcnow
from goodpath.core.settings import get_settings
from goodpath.core.uploads import remove_folder
from goodpath.lists import formats, service
from goodpath.lists.guards import RemovalsRefused
from goodpath.lists.models import ListImportJob
from goodpath.lists.records import ListFormatError

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED, REFUSED, INTERRUPTED = "queued", "running", "done", "failed", "refused", "interrupted"
ACTIVE = (QUEUED, RUNNING)
HEARTBEAT_SECONDS = 5.0
STALE_AFTER = timedelta(seconds=120)  # SQLite holds the heartbeat back while an import writes
STOPPED = "the server stopped before the import finished: nothing of it was stored; upload the files again"


def job_folder(job_id: str) -> Path:
    return get_settings().jobs_dir / "imports" / job_id


def new_job_id() -> str:
    return secrets.token_hex(16)


def import_path(job_id: str, filenames: list[str]) -> Path:
    """What the import reads: the one file, or the folder of a list's files."""
    folder = job_folder(job_id)
    return folder / filenames[0] if len(filenames) == 1 else folder


def create_job(
    session: Session, viewer: Viewer, job_id: str, filenames: list[str], *, fmt: str | None, dataset: str | None,
    accept_removals: bool, restore: bool,
) -> ListImportJob:  # fmt: skip
    """Record a queued job whose files are already in ``job_folder(job_id)``: their format is checked
    here (ListFormatError), and an import of the same dataset still queued or running is refused."""
    if viewer.user_id is None or not can(viewer, Permission.IMPORT_LISTS):
        raise Refused("only a logged-in user who may import lists can start a list import")
    fmt = formats.resolve(import_path(job_id, filenames), fmt)
    dataset = dataset or (None if fmt == "ftm-json" else formats.FORMATS[fmt].DEFAULT_DATASET)
    if dataset is not None:
        _refuse_a_second_import(session, dataset)
    _sweep(session, keep=job_id)
    job = ListImportJob(
        id=job_id, user_id=viewer.user_id, created_by=viewer.actor, filenames=filenames, format=fmt,
        dataset=dataset, accept_removals=accept_removals, restore=restore, status=QUEUED, heartbeat_at=utcnow(),
    )  # fmt: skip
    session.add(job)
    session.flush()
    return job


def _refuse_a_second_import(session: Session, dataset: str) -> None:
    running = session.scalars(
        select(ListImportJob)
        .where(ListImportJob.dataset == dataset, ListImportJob.status.in_(ACTIVE))
        .order_by(ListImportJob.created_at)
    ).all()
    for other in running:
        _reconcile(session, other)
        if other.status in ACTIVE:
            raise Refused(
                f"another import of {dataset} (job {other.id} by {other.created_by}, started "
                f"{aware(other.created_at):%Y-%m-%d %H:%M:%S} UTC) is {other.status}; try again when it is done"
            )


def _sweep(session: Session, keep: str) -> None:
    """Remove the upload folders a killed server left: no job of theirs is queued or running, and
    nothing was written in them for a while (an upload still being received is left alone)."""
    root = job_folder(keep).parent
    stale_before = time.time() - STALE_AFTER.total_seconds()
    for folder in root.iterdir() if root.is_dir() else ():
        if folder.name == keep or folder.name in _runner.live or not folder.is_dir():
            continue
        try:
            if max(p.stat().st_mtime for p in (folder, *folder.iterdir())) > stale_before:
                continue
        except OSError:  # removed meanwhile by the job that owned it
            continue
        job = session.get(ListImportJob, folder.name) if len(folder.name) <= 32 else None
        if job is not None:
            _reconcile(session, job)
        if job is None or job.status not in ACTIVE:
            remove_folder(folder)


def get_job(session: Session, viewer: Viewer, job_id: str) -> ListImportJob:
    job = session.get(ListImportJob, job_id) if len(job_id) <= 32 else None
    if job is None or not can(viewer, Permission.IMPORT_LISTS):
        raise NotFound(f"no list import job {job_id!r}")
    _reconcile(session, job)
    return job


def list_jobs(session: Session, viewer: Viewer, limit: int = 50) -> list[ListImportJob]:
    if not can(viewer, Permission.IMPORT_LISTS):
        return []
    jobs = session.scalars(
        select(ListImportJob).order_by(ListImportJob.created_at.desc(), ListImportJob.id).limit(limit)
    ).all()
    for job in jobs:
        _reconcile(session, job)
    return list(jobs)


def _reconcile(session: Session, job: ListImportJob) -> None:
    """A job left queued or running by a stopped server is interrupted (and its files removed)."""
    if job.status not in ACTIVE or job.id in _runner.live:
        return
    beat = aware(job.heartbeat_at) or aware(job.created_at)
    if beat is None or utcnow() - beat > STALE_AFTER:
        job.status, job.error, job.finished_at = INTERRUPTED, STOPPED, utcnow()
        session.flush()
        remove_folder(job_folder(job.id))


def to_dict(job: ListImportJob) -> dict:
    stage, done, total = _runner.progress.get(job.id, (None, None, None))
    return {
        "id": job.id,
        "status": job.status,
        "filenames": list(job.filenames or []),
        "format": job.format,
        "dataset": job.dataset,
        "params": {"accept_removals": job.accept_removals, "restore": job.restore},
        "progress": {"stage": stage, "done": done, "total": total},  # while it runs in this server
        "result": job.result if job.status == DONE else None,
        "refusal": job.result if job.status == REFUSED else None,  # a guard's change-set summary
        "error": job.error,
        "created_by": job.created_by,
        "created_at": _iso(job.created_at),
        "started_at": _iso(job.started_at),
        "finished_at": _iso(job.finished_at),
        "links": {"self": f"/lists/imports/{job.id}"},
    }


def _iso(moment: datetime | None) -> str | None:
    return aware(moment).isoformat() if moment is not None else None


# --- running ----------------------------------------------------------------------------


class _Runner:
    """One background thread running queued imports in turn, and one stamping their heartbeat."""

    def __init__(self) -> None:
        self.live: dict[str, str] = {}  # queued or running job id -> its database URL
        self.progress: dict[str, tuple[str, int, int]] = {}
        self._queue: queue.Queue[tuple[str, str]] = queue.Queue()
        self._lock = threading.Lock()
        self._started = False

    def submit(self, job_id: str, database_url: str) -> None:
        with self._lock:
            self.live[job_id] = database_url
            if not self._started:
                threading.Thread(target=self._work, name="goodpath-list-imports", daemon=True).start()
                threading.Thread(target=self._beat, name="goodpath-list-import-heartbeat", daemon=True).start()
                atexit.register(self._interrupt_live)
                self._started = True
        self._queue.put((job_id, database_url))

    def _work(self) -> None:
        while True:
            job_id, url = self._queue.get()
            try:
                run_job(job_id, url)
            except Exception:  # noqa: BLE001 - recorded on the job; the thread must go on
                log.exception("list import job %s failed", job_id)
            finally:
                with self._lock:
                    self.live.pop(job_id, None)
                    self.progress.pop(job_id, None)
                remove_folder(job_folder(job_id))

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no job is queued or running (a test's database is emptied only then)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not self.live:
                    return True
            time.sleep(0.05)
        return False

    def _by_url(self) -> dict[str, list[str]]:
        with self._lock:
            by_url: dict[str, list[str]] = {}
            for job_id, url in self.live.items():
                by_url.setdefault(url, []).append(job_id)
        return by_url

    def _interrupt_live(self) -> None:
        """The server is stopping (cleanly): its unfinished imports are interrupted, at once."""
        for url, job_ids in self._by_url().items():
            with contextlib.suppress(Exception), new_session(url) as session, session.begin():
                session.execute(
                    update(ListImportJob)
                    .where(ListImportJob.id.in_(job_ids), ListImportJob.status.in_(ACTIVE))
                    .values(status=INTERRUPTED, error=STOPPED, finished_at=utcnow())
                )
            for job_id in job_ids:
                remove_folder(job_folder(job_id))

    def _beat(self) -> None:
        while True:
            time.sleep(HEARTBEAT_SECONDS)
            for url, job_ids in self._by_url().items():
                try:
                    with new_session(url) as session, session.begin():
                        session.execute(
                            update(ListImportJob)
                            .where(ListImportJob.id.in_(job_ids), ListImportJob.status.in_(ACTIVE))
                            .values(heartbeat_at=utcnow())
                        )
                except Exception:  # noqa: BLE001 - a missed beat is retried; many mean "interrupted"
                    log.warning("could not record the list imports' heartbeat", exc_info=True)


_runner = _Runner()


def wait_idle(timeout: float = 120) -> bool:
    """True once this process runs no list import job (False if one still runs after ``timeout`` s)."""
    return _runner.wait_idle(timeout)


def submit(job: ListImportJob, database_url: str) -> None:
    """Queue a committed job for the background thread."""
    _runner.submit(job.id, database_url)


def _run_followups(work: Session, database_url: str) -> None:
    """What the import recorded to follow it (goodpath.consequences), run now as after a request's commit;
    left to the server's follow-up runner if it fails."""
    if not work.info.get(followups.WRITTEN):
        return
    try:
        followup_runner.run_due(url=database_url)
    except Exception:  # noqa: BLE001 - the import is committed: its follow-ups wait for the server's runner
        log.warning("follow-ups of a list import left to the background runner", exc_info=True)


def run_job(job_id: str, database_url: str) -> None:
    """Run one import to its end and record the outcome on the job (called by the runner)."""
    with new_session(database_url) as session:
        job = session.get(ListImportJob, job_id)
        if job is None or job.status != QUEUED:
            return
        job.status, job.started_at, job.heartbeat_at = RUNNING, utcnow(), utcnow()
        session.commit()
        path = import_path(job_id, job.filenames)

        def progress(stage: str, done: int, total: int) -> None:
            _runner.progress[job_id] = (stage, done, total)

        outcome: tuple[str, dict | None, str | None]
        try:
            with new_session(database_url) as work:
                result = service.import_list(
                    work, path, fmt=job.format, dataset=job.dataset, actor=job.created_by,
                    accept_removals=job.accept_removals, restore=job.restore, progress=progress,
                )  # fmt: skip
                work.commit()
            _run_followups(work, database_url)
            outcome = DONE, {**result.to_dict(), "noop": result.noop, "notes": result.notes}, None
        except RemovalsRefused as exc:
            outcome = REFUSED, exc.details, str(exc)
        except Refused as exc:
            outcome = REFUSED, None, str(exc)
        except ListFormatError as exc:  # name the uploaded file, not the server's folder
            shown = Path(exc.path).name if Path(exc.path) != job_folder(job_id) else "the uploaded files"
            outcome = FAILED, None, str(ListFormatError(shown, exc.where, exc.problem))
        except GoodpathError as exc:
            outcome = FAILED, None, str(exc)
        except Exception as exc:  # noqa: BLE001 - the user sees that it failed; the log has why
            log.exception("list import job %s failed", job_id)
            outcome = FAILED, None, f"internal error ({exc.__class__.__name__}); nothing was stored"
        session.expire_all()
        job = session.get(ListImportJob, job_id)
        if job is None or job.status != RUNNING:  # interrupted meanwhile (the server is stopping), or gone
            return
        job.status, job.result, job.error = outcome
        job.finished_at = job.heartbeat_at = utcnow()
        session.commit()
