"""Demo data: the real lists in ../shared/data and the engagement parties of the seed cables.

Loading is idempotent: list files already imported are skipped without parsing, and
the engagement parties are reloaded only when their data file changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from goodpath.lists import service as lists
from goodpath.lists.models import ListVersion
from goodpath.lists.records import file_sha256

# (path under shared/data, format, dataset). Order matters: the three SDN snapshots in
# turn give the real change-sets between 2019, 2021 and 2024. Samples and partial files
# get datasets of their own, never a version of the full list.
DEMO_LISTS: tuple[tuple[str, str, str | None], ...] = (
    ("ofac_sdn_2019", "ofac-csv", "us-ofac-sdn"),
    ("ofac_sdn_2021", "ofac-csv", "us-ofac-sdn"),
    ("ofac_sdn_2024", "ofac-csv", "us-ofac-sdn"),
    ("csl/consolidated.csv", "csl-csv", "us-csl"),
    ("csl/csl_2023-11.csv", "csl-csv", "us-csl-2023-11-subset"),
    ("csl/csl_sample_watchman_test.csv", "csl-csv", "us-csl-sample-2019"),
    ("csl/consolidated_sample_watchman_cslustest.csv", "csl-csv", "us-csl-sample-2023"),
    ("un/consolidated.xml", "un-xml", "un-sc"),
    ("opensanctions/yente_t1_entities.ftm.json", "ftm-json", None),
    ("opensanctions/yente_zala_entities.ftm.json", "ftm-json", None),
)


@dataclass
class DemoStep:
    source: str
    dataset: str | None
    outcome: str  # "imported", "skipped", "unchanged"
    result: dict | None = None


def _files_of(path: Path) -> list[Path]:
    return sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]


def already_imported(session: Session, path: Path) -> bool:
    """True when every file at ``path`` was part of some imported version (any dataset)."""
    wanted = {file_sha256(p).sha256 for p in _files_of(path) if p.suffix.lower() in {".csv", ".xml", ".json"}}
    seen: set[str] = set()
    for files in session.scalars(select(ListVersion.files)):
        seen.update(f["sha256"] for f in files)
    return bool(wanted) and wanted <= seen


def load_lists(
    session_factory: Callable[[], Session],
    data_dir: Path,
    actor: str,
    on_step: Callable[[DemoStep], None] | None = None,
) -> list[DemoStep]:
    """Import each demo list in its own transaction (a failure keeps the earlier ones)."""
    steps = []
    for relative, fmt, dataset in DEMO_LISTS:
        path = data_dir / relative
        with session_factory() as session, session.begin():
            if already_imported(session, path):
                step = DemoStep(relative, dataset, "skipped")
            else:
                result = lists.import_list(session, path, fmt=fmt, dataset=dataset, actor=actor)
                step = DemoStep(relative, result.dataset, "unchanged" if result.noop else "imported", result.to_dict())
        steps.append(step)
        if on_step:
            on_step(step)
    return steps
