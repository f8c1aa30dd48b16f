"""API routes for imported lists, their change-sets, and imports by upload (run as jobs)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, File, Query, Response, UploadFile
from sqlalchemy.orm import Session

from goodpath.access.deps import current_viewer, require
from goodpath.access.policy import Permission, Viewer
from goodpath.core.api_support import SESSION
from goodpath.core.api_types import Key, VersionNumber
from goodpath.core.errors import NotFound, Refused
from goodpath.core.settings import get_settings
from goodpath.core.uploads import limit_of, remove_folder, save_upload
from goodpath.lists import import_jobs, service
from goodpath.lists.records import ListFormatError

router = APIRouter(tags=["lists"])


@router.get("/lists")
def list_datasets(viewer: Viewer = Depends(current_viewer), session: Session = SESSION) -> list[dict]:
    return service.dataset_status(session, viewer)


@router.get("/lists/{dataset}/versions")
def list_versions(dataset: Key, viewer: Viewer = Depends(current_viewer), session: Session = SESSION) -> list[dict]:
    rows = service.versions(session, viewer, dataset)
    if not rows:
        raise NotFound(f"no dataset {dataset!r} has been imported")
    return [service.version_to_dict(v) for v in rows]


@router.get("/lists/{dataset}/versions/{version}")
def get_version(
    dataset: Key, version: VersionNumber, viewer: Viewer = Depends(current_viewer), session: Session = SESSION
) -> dict:
    return service.version_to_dict(service.get_version(session, viewer, dataset, version), with_changes=True)


@router.post("/lists/imports", status_code=202)
def import_upload(
    response: Response,
    files: list[UploadFile] = File(..., description="One list file, or a list's files (sdn.csv, add.csv, ...)"),
    format: str | None = Query(None, description="ofac-csv, un-xml, csl-csv or ftm-json; detected when omitted"),
    dataset: str | None = Query(None, max_length=120, description="Dataset name; the format's default when omitted"),
    accept_removals: bool = Query(False, description="Import even a change-set delisting more than the guard allows"),
    restore: bool = Query(False, description="Import files equal to an earlier version's again, as a new version"),
    viewer: Viewer = Depends(require(Permission.IMPORT_LISTS)),
    session: Session = SESSION,
) -> dict:
    """Start importing the uploaded files as the next version of their dataset: answers 202 at once with
    the job (its format checked); ``GET /lists/imports/{job_id}`` tells its status and result."""
    job_id = import_jobs.new_job_id()
    folder = import_jobs.job_folder(job_id)
    folder.mkdir(parents=True)
    try:
        names = _save_files(files, folder)
        try:
            job = import_jobs.create_job(
                session, viewer, job_id, names, fmt=format, dataset=dataset, accept_removals=accept_removals,
                restore=restore,
            )  # fmt: skip
        except ListFormatError as exc:  # name the uploaded file, not the server's folder
            shown = Path(exc.path).name if Path(exc.path) != folder else "the uploaded files"
            raise ListFormatError(shown, exc.where, exc.problem) from None
        session.commit()  # the background thread must see the job
    except BaseException:
        remove_folder(folder)
        raise
    import_jobs.submit(job, get_settings().database_url)
    response.headers["Location"] = f"/lists/imports/{job.id}"
    return import_jobs.to_dict(job)


def _save_files(files: list[UploadFile], folder: Path) -> list[str]:
    """Each upload streamed to ``folder`` under its base name, all of them within the lists' limit."""
    names: list[str] = []
    budget = limit_of("lists")
    for upload in files:
        name = Path(upload.filename or "").name  # no paths from the client
        if not name or name in (".", ".."):
            raise Refused("every uploaded file needs a file name")
        if name in names:
            raise Refused(f"two uploaded files are named {name}")
        budget -= save_upload(upload, folder / name, "lists", limit=budget)
        names.append(name)
    return names


@router.get("/lists/imports")
def list_imports(viewer: Viewer = Depends(require(Permission.IMPORT_LISTS)), session: Session = SESSION) -> list[dict]:
    """The latest list import jobs (anyone's: analysts share them), newest first."""
    return [import_jobs.to_dict(job) for job in import_jobs.list_jobs(session, viewer)]


@router.get("/lists/imports/{job_id}")
def get_import(
    job_id: str, viewer: Viewer = Depends(require(Permission.IMPORT_LISTS)), session: Session = SESSION
) -> dict:
    """A list import job: ``queued``, ``running`` (with its stage and progress), ``done`` (with the import's
    result), ``failed`` or ``refused`` (with why, and a refused change-set's summary) or ``interrupted``."""
    return import_jobs.to_dict(import_jobs.get_job(session, viewer, job_id))
