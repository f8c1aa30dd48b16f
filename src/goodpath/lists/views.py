"""API routes for imported lists, their change-sets, and imports by upload."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, File, Query, UploadFile
from sqlalchemy.orm import Session

from goodpath.access.deps import current_viewer, require
from goodpath.access.policy import Permission, Viewer
from goodpath.core.api_support import SESSION
from goodpath.core.errors import NotFound, Refused
from goodpath.lists import service
from goodpath.lists.records import ListFormatError
from goodpath.screening.monitoring import rescreen_all

router = APIRouter(tags=["lists"])


@router.get("/lists")
def list_datasets(viewer: Viewer = Depends(current_viewer), session: Session = SESSION) -> list[dict]:
    return service.dataset_status(session, viewer)


@router.get("/lists/{dataset}/versions")
def list_versions(
    dataset: str, viewer: Viewer = Depends(current_viewer), session: Session = SESSION
) -> list[dict]:
    rows = service.versions(session, viewer, dataset)
    if not rows:
        raise NotFound(f"no dataset {dataset!r} has been imported")
    return [service.version_to_dict(v) for v in rows]


@router.get("/lists/{dataset}/versions/{version}")
def get_version(
    dataset: str, version: int, viewer: Viewer = Depends(current_viewer), session: Session = SESSION
) -> dict:
    return service.version_to_dict(service.get_version(session, viewer, dataset, version), with_changes=True)


@router.post("/lists/imports", status_code=201)
async def import_upload(
    files: list[UploadFile] = File(..., description="One list file, or a list's files (sdn.csv, add.csv, ...)"),
    format: str | None = Query(None, description="ofac-csv, un-xml, csl-csv or ftm-json; detected when omitted"),
    dataset: str | None = Query(None, description="Dataset name; the format's default when omitted"),
    accept_removals: bool = False,
    viewer: Viewer = Depends(require(Permission.IMPORT_LISTS)),
    session: Session = SESSION,
) -> dict:
    """Import uploaded list files as the next version of their dataset (one transaction)."""
    with tempfile.TemporaryDirectory(prefix="goodpath-upload-") as folder:
        for upload in files:
            name = Path(upload.filename or "").name  # no paths from the client
            if not name:
                raise Refused("every uploaded file needs a file name")
            (Path(folder) / name).write_bytes(await upload.read())
        path = Path(folder) if len(files) > 1 else Path(folder) / Path(files[0].filename).name
        try:
            result = service.import_list(
                session, path, fmt=format, dataset=dataset, actor=viewer.actor, accept_removals=accept_removals
            )
        except ListFormatError as exc:  # name the uploaded file, not the server's temporary folder
            shown = Path(exc.path).name if Path(exc.path) != Path(folder) else "the uploaded files"
            raise ListFormatError(shown, exc.where, exc.problem) from None
    rescreened = None
    if not result.noop:  # commit the import, then re-screen the watched names against it
        session.commit()
        rescreened = rescreen_all(session, viewer.actor)
    return {**result.to_dict(), "noop": result.noop, "notes": result.notes, "rescreen": rescreened}
