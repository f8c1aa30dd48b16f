"""Import benchmark: full import, unchanged re-import and entities/s for each real list.

Prints a table and writes bench/results/import.json. The baseline, measured in the same
run, is parsing alone: the import's cost is shown as a multiple of it. Targets from the
foundation issue: full SDN <= 10 s, unchanged re-import <= 2 s (2 cores). Never fails on time.

    .venv/bin/python bench/import.py [--postgres]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from goodpath.core.db import new_session
from goodpath.core.migrate import upgrade
from goodpath.core.settings import get_settings
from goodpath.lists import formats, service

DATA = get_settings().shared_dir / "data"
LISTS = [
    ("SDN 2019", "ofac_sdn_2019", "ofac-csv"),
    ("SDN 2021", "ofac_sdn_2021", "ofac-csv"),
    ("SDN 2024", "ofac_sdn_2024", "ofac-csv"),
    ("CSL 2022", "csl/consolidated.csv", "csl-csv"),
    ("UN SC", "un/consolidated.xml", "un-xml"),
    ("FtM zala", "opensanctions/yente_zala_entities.ftm.json", "ftm-json"),
]


def timed(fn, *args):
    start = time.perf_counter()
    value = fn(*args)
    return value, time.perf_counter() - start


def fresh_database(postgres: bool) -> str:
    if not postgres:
        return f"sqlite:///{tempfile.mkdtemp(prefix='gp-bench-')}/bench.db"
    base = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    schema = f"gp_bench_{uuid.uuid4().hex[:8]}"
    with create_engine(base, isolation_level="AUTOCOMMIT").connect() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    return f"{base}?options=-csearch_path%3D{schema}"


def import_once(url: str, path: Path, fmt: str, dataset: str):
    with new_session(url) as session, session.begin():
        return service.import_list(session, path, fmt=fmt, dataset=dataset)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="run against the local PostgreSQL")
    args = parser.parse_args()
    rows = []
    for label, relative, fmt in LISTS:
        path = DATA / relative
        url = fresh_database(args.postgres)
        upgrade(url)
        _, parse_s = timed(formats.parse, path, fmt)
        result, full_s = timed(import_once, url, path, fmt, "bench")
        again, reimport_s = timed(import_once, url, path, fmt, "bench")
        assert again.noop, "an unchanged re-import must be a no-op"
        rows.append({
            "list": label, "entities": result.entities, "parse_s": round(parse_s, 3),
            "full_import_s": round(full_s, 3), "unchanged_reimport_s": round(reimport_s, 3),
            "entities_per_s": round(result.entities / full_s), "import_vs_parse": round(full_s / parse_s, 1),
        })  # fmt: skip
    # The real history: 2019 -> 2021 -> 2024 in one database.
    url = fresh_database(args.postgres)
    upgrade(url)
    history = []
    for label, relative, fmt in LISTS[:3]:
        result, seconds = timed(import_once, url, DATA / relative, fmt, "us-ofac-sdn")
        history.append({"list": label, "seconds": round(seconds, 3), **result.to_dict()})

    database = "postgresql" if args.postgres else "sqlite"
    print(f"\nimport benchmark ({database}); baseline = parse only, same run")
    head = f"{'list':<10}{'entities':>9}{'parse s':>9}{'import s':>10}{'re-import s':>13}{'ent/s':>8}{'x parse':>9}"
    print(head)
    for r in rows:
        print(f"{r['list']:<10}{r['entities']:>9}{r['parse_s']:>9}{r['full_import_s']:>10}"
              f"{r['unchanged_reimport_s']:>13}{r['entities_per_s']:>8}{r['import_vs_parse']:>9}")  # fmt: skip
    print("\nincremental SDN history (one database)")
    for h in history:
        print(f"{h['list']:<10} v{h['version']} {h['seconds']:>7}s  +{h['added']} -{h['removed']} ~{h['changed']}"
              f" ={h['unchanged']}")  # fmt: skip
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    target = out / f"import-{database}.json"
    target.write_text(json.dumps({"database": database, "lists": rows, "sdn_history": history}, indent=2))
    print(f"\nwritten to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
