"""API routes for imported lists and their change-sets."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from goodpath.core.api_support import get_session
from goodpath.core.errors import NotFound
from goodpath.lists import service

router = APIRouter(tags=["lists"])


@router.get("/lists")
def list_datasets(session: Session = Depends(get_session)) -> list[dict]:
    return service.dataset_status(session)


@router.get("/lists/{dataset}/versions")
def list_versions(dataset: str, session: Session = Depends(get_session)) -> list[dict]:
    rows = service.versions(session, dataset)
    if not rows:
        raise NotFound(f"no dataset {dataset!r} has been imported")
    return [service.version_to_dict(v) for v in rows]


@router.get("/lists/{dataset}/versions/{version}")
def get_version(dataset: str, version: int, session: Session = Depends(get_session)) -> dict:
    for v in service.versions(session, dataset):
        if v.version == version:
            return service.version_to_dict(v, with_changes=True)
    raise NotFound(f"no version {version} of dataset {dataset!r}")
