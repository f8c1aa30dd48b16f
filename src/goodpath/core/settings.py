"""Where things live. Everything can be overridden by environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Settings:
    database_url: str
    var_dir: Path
    shared_dir: Path
    # Batch screening jobs of the API: their uploads and results (GOODPATH_JOBS_DIR), and the
    # processes each job screens with (GOODPATH_BATCH_WORKERS; 2 = both cores of the server).
    jobs_dir: Path = REPO_ROOT / "var" / "jobs"
    batch_workers: int = 2


def get_settings() -> Settings:
    var_dir = Path(os.environ.get("GOODPATH_VAR_DIR", REPO_ROOT / "var"))
    default_db = f"sqlite:///{var_dir / 'goodpath.db'}"
    shared = os.environ.get("GOODPATH_SHARED_DIR")
    return Settings(
        database_url=os.environ.get("GOODPATH_DATABASE_URL", default_db),
        var_dir=var_dir,
        shared_dir=Path(shared) if shared else REPO_ROOT.parent / "shared",
        jobs_dir=Path(os.environ.get("GOODPATH_JOBS_DIR", var_dir / "jobs")),
        batch_workers=int(os.environ.get("GOODPATH_BATCH_WORKERS", "2")),
    )
