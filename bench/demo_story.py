"""How long the demo's illustrative scenario takes to load (demo/illustrative.py): on a fresh database,
the scenario alone, then again (already loaded: nothing written); with --database URL, on a copy of
an existing demo database (e.g. after `goodpath demo load`), under a second key so that it loads anew.
Prints figures, never passes or fails.

    .venv/bin/python bench/demo_story.py [--database sqlite:///var/goodpath.db] [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from goodpath.core.db import get_engine, session_scope
from goodpath.core.migrate import upgrade
from goodpath.demo.illustrative import STORY_PATH, load_story


def _timed(url: str, path: Path) -> tuple[float, dict]:
    start = time.perf_counter()
    with session_scope(url) as session:
        answer = load_story(session, path=path)
    return time.perf_counter() - start, answer


def _renamed(folder: Path, number: int) -> Path:
    """The scenario under another party key and case reference (it loads again in the same database)."""
    text = STORY_PATH.read_text(encoding="utf-8")
    text = text.replace("key: illustrative-xingyun", f"key: illustrative-xingyun-bench-{number}")
    text = text.replace("reference: ILLUSTRATIVE-2", f"reference: ILLUSTRATIVE-BENCH-{number}")
    path = folder / f"story-{number}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="an existing SQLite demo database to copy (sqlite:///PATH)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="goodpath-bench-story-"))
    url = f"sqlite:///{folder / 'goodpath.db'}"
    if args.database:
        shutil.copy(args.database.removeprefix("sqlite:///"), folder / "goodpath.db")
    upgrade(url)
    times = []
    for number in range(args.repeat):
        seconds, answer = _timed(url, _renamed(folder, number))
        times.append(seconds)
        print(f"load {number + 1}: {seconds:.2f} s, {answer['steps']} steps, now {answer['stage']}")
    again, answer = _timed(url, _renamed(folder, 0))
    print(f"median {statistics.median(times):.2f} s; loaded again: {again:.3f} s ({answer['outcome']})")
    get_engine(url).dispose()
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
