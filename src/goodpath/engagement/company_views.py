"""API routes of the engagement company workflows (stub: being built)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["engagement"])
