from __future__ import annotations

from pathlib import Path

import pytest

from goodpath.core.settings import get_settings

SHARED = get_settings().shared_dir
SEED_1900 = SHARED / "seeds" / "000_6a1cbc83fd7c25d4.txt"
SEED_5360 = SHARED / "seeds" / "001_bedb6463c994f4a0.txt"
HTML_1760 = SHARED / "cables" / "07BEIJING1760.html"


@pytest.fixture
def cable_files() -> dict[str, Path]:
    files = {"07BEIJING1900": SEED_1900, "07BEIJING5360": SEED_5360, "07BEIJING1760": HTML_1760}
    missing = [str(path) for path in files.values() if not path.exists()]
    if missing:
        pytest.skip(f"shared cable files missing: {missing}")
    return files
