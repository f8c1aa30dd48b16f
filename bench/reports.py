"""How long a report takes to draw (issue 23: NORINCO's dossier on the demo data in <= 2 s).

On a fresh database with the demo's engagement companies and illustrative scenario (or, with --database,
an existing demo database, e.g. var/goodpath.db after `make run`), draws the dossier of each company
named (default: norinco and the illustrative company) in English and Chinese as the demo analyst, and
prints per report the time to read its records, the time to draw the PDF (wall clock; and the CPU time,
which a busy shared machine does not inflate), its pages and size. Nothing is
audited. Prints figures, never passes or fails.

    .venv/bin/python bench/reports.py [--database sqlite:///var/goodpath.db] [--repeat 3] [PARTY ...]
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader

from goodpath.access.operator import acting_viewer
from goodpath.core.db import get_engine, new_session, session_scope
from goodpath.core.migrate import upgrade
from goodpath.core.models import utcnow
from goodpath.demo import service as demo
from goodpath.demo.illustrative import load_story, party_key
from goodpath.demo.users import ensure_demo_users
from goodpath.reports import dossier
from goodpath.reports.render import render


def _fresh_demo() -> str:
    folder = Path(tempfile.mkdtemp(prefix="goodpath-bench-reports-"))
    url = f"sqlite:///{folder / 'goodpath.db'}"
    upgrade(url)
    demo.load_engagement(lambda: new_session(url), "bench")
    with session_scope(url) as session:
        load_story(session)
    with session_scope(url) as session:
        ensure_demo_users(session, "bench")
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("parties", nargs="*", help="party ids or keys (default: norinco and the illustrative one)")
    parser.add_argument("--database", help="an existing demo database (its demo users are used)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--user", default="analyst")
    args = parser.parse_args()
    url = args.database or _fresh_demo()
    today = utcnow().date()
    with session_scope(url) as session:
        viewer = acting_viewer(session, args.user)
        render(
            "dossier.html",
            language="en",
            as_of=today,
            title="warm-up",
            **dossier.dossier_context(session, viewer, dossier.find_party(session, viewer, "norinco"), today),
        )  # fonts loaded once
        for key in args.parties or ["norinco", party_key()]:
            for language in ("en", "zh"):
                reading, drawing, cpu, pdf = [], [], [], b""
                for _ in range(args.repeat):
                    start, start_cpu = time.perf_counter(), time.process_time()
                    party = dossier.find_party(session, viewer, key)
                    context = dossier.dossier_context(session, viewer, party, today)
                    read = time.perf_counter()
                    pdf = render("dossier.html", language=language, as_of=today, title=party.caption, **context).pdf
                    reading.append(read - start)
                    drawing.append(time.perf_counter() - read)
                    cpu.append(time.process_time() - start_cpu)
                total = statistics.median(r + d for r, d in zip(reading, drawing, strict=True))
                pages = len(PdfReader(io.BytesIO(pdf)).pages)
                records, printing, busy = (statistics.median(x) for x in (reading, drawing, cpu))
                print(f"{key:24} {language}: {total:.2f} s median of {args.repeat} (records {records:.2f} s, "
                      f"PDF {printing:.2f} s; CPU {busy:.2f} s), {pages} pages, {len(pdf) // 1024} KiB")  # fmt: skip
    get_engine(url).dispose()


if __name__ == "__main__":
    main()
