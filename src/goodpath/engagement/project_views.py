"""API routes of cooperation projects (EXBS, trainings, exchanges).
Reads: any logged-in user, filtered by the records' markings; writes: engagement managers.
Lists answer JSON ``{"results", "total"}``, or a download with ``?format=csv|xlsx``."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from goodpath.access.deps import require, require_login
from goodpath.access.policy import Permission, Viewer
from goodpath.core.api_support import SESSION, invalid_as_422
from goodpath.core.api_types import ExpectedVersion, RecordId
from goodpath.core.fields import to_dict
from goodpath.core.workflow import check_version
from goodpath.engagement import projects
from goodpath.engagement.interfaces import LISTS, Format, Lists, Marking

router = APIRouter(tags=["engagement"])
manage = require(Permission.MANAGE_ENGAGEMENT)


class ProjectRequest(Marking):
    title: str = Field(min_length=1, max_length=300)
    kind: str = Field(description=", ".join(projects.KINDS))
    description: str | None = Field(None, max_length=8000)
    proposed_by: str | None = Field(None, max_length=200)
    start_on: str | None = None
    end_on: str | None = None
    participants: list[dict | str] = Field(default_factory=list, description='[{"name", "organization", "role"}]')
    occurred_on: str | None = Field(None, description="When it was proposed")
    share_with: list[str] = Field(default_factory=list, description="Organizations to share it with, e.g. CHN")


class ProjectStatusRequest(BaseModel):
    status: Literal["proposed", "agreed", "active", "completed", "suspended", "cancelled", "resume"] = Field(
        description="resume: back to the state the project was suspended from"
    )
    cause: str | None = Field(None, max_length=4000, description="Required to suspend")
    occurred_on: str | None = None
    source: str | None = Field(None, max_length=1000)


@router.get("/projects", response_model=None)
def list_projects(
    status: str | None = Query(None, max_length=20),
    kind: str | None = Query(None, max_length=20),
    format: Format = None,
    viewer: Viewer = Depends(require_login),
    session: Session = SESSION,
    listing: Lists = LISTS,
):
    with invalid_as_422():
        rows = projects.list_projects(session, viewer, status=status, kind=kind)
    return listing.answer(rows, format, "projects")


@router.post("/projects", status_code=201)
def create_project(body: ProjectRequest, viewer: Viewer = Depends(manage), session: Session = SESSION):
    with invalid_as_422():
        project = projects.create(session, viewer, **body.model_dump())
    return to_dict(project)


@router.get("/projects/{project_id}")
def show_project(project_id: RecordId, viewer: Viewer = Depends(require_login), session: Session = SESSION) -> dict:
    return projects.detail(session, viewer, project_id)


@router.post("/projects/{project_id}/status")
def project_status(
    project_id: RecordId, body: ProjectStatusRequest, expected: ExpectedVersion, viewer: Viewer = Depends(manage),
    session: Session = SESSION,
) -> dict:  # fmt: skip
    """Advance, suspend (with a cause), resume (to the state it was suspended from) or cancel; with
    If-Match, 409 if the project has changed since that version."""
    with invalid_as_422():
        check_version(session, projects.get(session, viewer, project_id), expected, projects.RECORD)
        if body.status == "resume":
            projects.resume(session, viewer, project_id, note=body.cause, occurred_on=body.occurred_on,
                            source=body.source)  # fmt: skip
        else:
            projects.set_status(session, viewer, project_id, **body.model_dump())
        return projects.detail(session, viewer, project_id)
