"""API routes of the engagement consultation workflows (stub: being built)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["engagement"])
