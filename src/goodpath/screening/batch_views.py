"""API routes for batch screening: upload a CSV, follow the job, download its result.

Like yente's ``/match``, the options are query parameters (``threshold``, ``limit``); the
upload is a multipart file (as ``POST /lists/imports``). The job starts at once and answers
202 with its id; ``GET /screen/batch/{id}`` tells its status, progress and counts.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, File, HTTPException, Query, Response, UploadFile
from fastapi.responses import FileResponse
from sqlalchemy.orm import Session

from goodpath.access.deps import require, require_login
from goodpath.access.policy import Permission, Viewer
from goodpath.core.api_support import SESSION
from goodpath.core.api_types import Key
from goodpath.core.settings import get_settings
from goodpath.core.uploads import save_upload
from goodpath.screening import batch_jobs as jobs
from goodpath.screening import downloads
from goodpath.screening.batch import BatchInputError, read_header
from goodpath.screening.score import DEFAULT_THRESHOLD

router = APIRouter(tags=["screening"])


@router.post("/screen/batch", status_code=202)
def start_batch(
    response: Response,
    file: UploadFile = File(..., description="CSV (UTF-8) with a header line: id,name and optionally country,schema"),
    threshold: float = Query(DEFAULT_THRESHOLD, ge=0, le=1, description="Lowest score reported"),
    limit: int = Query(3, ge=1, le=100, description="At most this many hits per row"),
    include_suppressed: bool = Query(False, description="Also report hits suppressed as false positives"),
    viewer: Viewer = Depends(require(Permission.SCREEN_BATCH)),
    session: Session = SESSION,
) -> dict:
    """Start screening every row of the uploaded CSV; answers at once with the job (202). Needs the
    screening.batch permission (analysts and approvers)."""
    job_id = jobs.new_job_id()
    folder = jobs.job_folder(job_id)
    folder.mkdir(parents=True, exist_ok=False)
    try:
        save_upload(file, folder / jobs.INPUT, "batch")  # within its limit (413 past it)
        try:
            read_header(folder / jobs.INPUT)
        except BatchInputError as exc:
            raise HTTPException(422, f"{Path(file.filename or 'the upload').name}: {exc}") from None
        job = jobs.create_job(
            session, viewer, job_id, Path(file.filename or "upload.csv").name or "upload.csv",
            threshold=threshold, limit=limit, include_suppressed=include_suppressed,
        )  # fmt: skip
        session.commit()  # the background thread must see the job
    except BaseException:
        jobs.discard_upload(job_id)
        raise
    jobs.submit(job, get_settings().database_url, viewer)
    response.headers["Location"] = f"/screen/batch/{job.id}"
    return jobs.to_dict(job)


@router.get("/screen/batch")
def list_batches(viewer: Viewer = Depends(require_login), session: Session = SESSION) -> list[dict]:
    """The caller's own batch screening jobs, newest first."""
    return [jobs.to_dict(job) for job in jobs.list_jobs(session, viewer)]


@router.get("/screen/batch/{job_id}")
def get_batch(job_id: Key, viewer: Viewer = Depends(require_login), session: Session = SESSION) -> dict:
    """Status (queued, running, done, failed, interrupted), progress, counts and the first rejected rows."""
    return jobs.to_dict(jobs.get_job(session, viewer, job_id))


CSV_FILE = {200: {"description": "The file (CSV)", "content": {"text/csv": {"schema": {"type": "string"}}}}}


@router.get("/screen/batch/{job_id}/result", response_class=FileResponse, responses=CSV_FILE)
def get_batch_result(job_id: Key, viewer: Viewer = Depends(require_login), session: Session = SESSION) -> FileResponse:
    """The hits as CSV: id,rank,score,entity_id,list,matched_name,caption (409 until the job is done).
    The download is audited with the highest marking of the parties it names."""
    job, path = jobs.result_file(session, viewer, job_id, "result")
    downloads.record_download(session, viewer, job.id, "result", path)
    return FileResponse(path, media_type="text/csv; charset=utf-8", filename=f"{Path(job.filename).stem}.hits.csv")


@router.get("/screen/batch/{job_id}/rejects", response_class=FileResponse, responses=CSV_FILE)
def get_batch_rejects(job_id: Key, viewer: Viewer = Depends(require_login), session: Session = SESSION) -> FileResponse:
    """The malformed rows as CSV: line,id,reason (409 until the job is done); the download is audited."""
    job, path = jobs.result_file(session, viewer, job_id, "rejects")
    downloads.record_download(session, viewer, job.id, "rejects", path)
    return FileResponse(path, media_type="text/csv; charset=utf-8", filename=f"{Path(job.filename).stem}.rejects.csv")
