"""Batch screening: a CSV of names in, a CSV of hits out, in input order.

Input: a header line with ``name`` and usually ``id`` (when there is no ``id`` column, the
line number is the id), and optionally ``country`` (ISO alpha-2) and ``schema``. The file is
UTF-8 (a byte-order mark is fine), separated by commas (or semicolons or tabs, as the header
line shows). Output: one row per hit at or above the threshold, ``id,rank,score,entity_id,
list,matched_name,caption`` (``entity_id`` the registry party, ``list`` every list it is on, sorted,
joined by ``;``), rank 1 the best hit of its query (ties by entity id), at most
``limit`` per query; a query without hits gives no row. Malformed rows go to a rejects file
(``line,id,reason``) and the run goes on, or, with ``strict``, the run stops at the first one
and leaves no output behind. A quoted value running over several lines is rejected too: a
stray quote would otherwise swallow the rows after it, and they would go unscreened unnoticed.
Output text cells are quoted, and never a formula: an id or name that a spreadsheet would compute
(``=...``, ``+``, ``-``, ``@``) is written quote-prefixed (``goodpath.core.cells``).

The file is streamed: rows are read, validated and sent to the workers in chunks, with a
bounded number of chunks in flight, and results are written as chunks complete, in order, so
memory stays bounded whatever the file's size. The screening index is built once, here, and
the worker processes inherit it by forking.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import fcntl
import gc
import glob
import multiprocessing
import os
import secrets
import signal
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from goodpath.access.policy import Viewer, can_read
from goodpath.core.cells import csv_row
from goodpath.core.errors import GoodpathError
from goodpath.screening import service
from goodpath.screening.dispositions import Suppressions, subject_key
from goodpath.screening.index import ScreeningIndex
from goodpath.screening.match import best_hits, make_query
from goodpath.screening.score import DEFAULT_THRESHOLD

COLUMNS = ("id", "rank", "score", "entity_id", "list", "matched_name", "caption")
SUPPRESSED_COLUMN = "suppressed"  # added after the others with include_suppressed
REJECT_COLUMNS = ("line", "id", "reason")
SCHEMATA = ("Company", "Organization", "Person", "Vessel", "Airplane", "LegalEntity", "PublicBody")
_SCHEMA_BY_LOWER = {s.lower(): s for s in SCHEMATA}
KNOWN_COLUMNS = ("id", "name", "country", "schema")
DELIMITERS = (",", ";", "\t")
MAX_NAME = 500  # as POST /screen
MAX_ID = 200
MAX_LINE = 1_000_000  # bytes; a longer physical line is rejected without being held in memory
CHUNK_ROWS = 250  # rows per task sent to a worker
CHUNKS_IN_FLIGHT_PER_WORKER = 4


class BatchInputError(GoodpathError):
    """The input cannot be screened (or, in strict mode, a row is malformed): nothing was written."""


class RowRejected(Exception):
    """One malformed row: ``reason`` says why, for the rejects file."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Row:
    line: int
    id: str
    name: str
    country: str | None = None
    schema: str | None = None


@dataclass(frozen=True)
class Header:
    """Where the known columns are in the input, and how its fields are separated."""

    positions: dict[str, int]
    width: int
    delimiter: str = ","


@dataclass
class BatchSummary:
    rows: int = 0  # data rows read (blank lines not counted)
    screened: int = 0
    hits: int = 0  # output rows written
    rejected: int = 0
    seconds: float = 0.0
    receipt: dict = field(default_factory=dict)  # the list versions screened against, and when

    def to_dict(self) -> dict:
        return dict(self.__dict__)


# --- input ----------------------------------------------------------------------------


def parse_header(fields: list[str], delimiter: str = ",") -> Header:
    """The header line's columns; raises BatchInputError when ``name`` is missing or a column repeats."""
    names = [f.strip().lstrip("\ufeff").strip().lower() for f in fields]
    positions: dict[str, int] = {}
    for number, name in enumerate(names):
        if name in KNOWN_COLUMNS:
            if name in positions:
                raise BatchInputError(f"line 1: the column {name!r} appears twice in the header")
            positions[name] = number
    if "name" not in positions:
        found = ", ".join(repr(n) for n in names[:8] if n) or "nothing"
        raise BatchInputError(
            f"line 1: the header has no 'name' column (found {found}); "
            "the first line must name the columns: id,name and optionally country,schema"
        )
    return Header(positions, len(names), delimiter)


def validate_row(header: Header, fields: list[str], line: int) -> Row:
    """One data row as a query, or RowRejected with the reason."""
    if len(fields) > header.width:
        sep = {",": "comma", ";": "semicolon", "\t": "tab"}[header.delimiter]
        raise RowRejected(
            f"{len(fields)} fields where the header has {header.width} (a value containing a {sep} must be quoted)"
        )

    def value(column: str) -> str:
        position = header.positions.get(column)
        return fields[position].strip() if position is not None and position < len(fields) else ""

    if "id" in header.positions:
        row_id = value("id")
        if not row_id:
            raise RowRejected("empty id")
        if len(row_id) > MAX_ID:
            raise RowRejected(f"id longer than {MAX_ID} characters")
        if _has_control(row_id):
            raise RowRejected("control character (e.g. a line break) in the id")
    else:
        row_id = str(line)
    name = value("name")
    if not name:
        raise RowRejected("empty name")
    if len(name) > MAX_NAME:
        raise RowRejected(f"name longer than {MAX_NAME} characters")
    if _has_control(name):
        raise RowRejected("control character (e.g. a line break) in the name")
    if not any(ch.isalnum() for ch in name):
        raise RowRejected("the name has no letter or digit")
    country = value("country") or None
    if country is not None and not (len(country) == 2 and country.isascii() and country.isalpha()):
        raise RowRejected(f"country {_shown(country)} is not a 2-letter ISO code (e.g. CN)")
    schema = value("schema") or None
    if schema is not None:
        canonical = _SCHEMA_BY_LOWER.get(schema.lower())
        if canonical is None:
            raise RowRejected(f"schema {_shown(schema)} is not one of {', '.join(SCHEMATA)}")
        schema = canonical
    return Row(line, row_id, name, country.upper() if country else None, schema)


def _has_control(text: str) -> bool:
    """Line breaks and other C0 controls (a tab is fine; C1 controls are mojibake the lists hold too)."""
    return any((ord(ch) < 32 and ch != "\t") or ch == "\x7f" for ch in text)


def _shown(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:40] + "…")


class _Lines:
    """The physical lines of a file, decoded one at a time: a line that is not UTF-8 or is
    too long is noted in ``problems`` (by line number) instead of stopping the run."""

    def __init__(self, handle) -> None:
        self._handle = handle
        self.number = 0
        self.problems: dict[int, str] = {}

    def __iter__(self) -> Iterator[str]:
        while True:
            raw = self._handle.readline(MAX_LINE)
            if not raw:
                return
            self.number += 1
            if len(raw) == MAX_LINE and not raw.endswith(b"\n"):
                while (more := self._handle.readline(MAX_LINE)) and not more.endswith(b"\n"):
                    pass
                self.problems[self.number] = f"line longer than {MAX_LINE:,} bytes"
                yield "\n"
                continue
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                self.problems[self.number] = f"not UTF-8 text (byte {exc.start + 1} of the line)"
                yield raw.decode("utf-8", "replace")


def _first_line(handle) -> str:
    raw = handle.readline(MAX_LINE)
    if not raw.strip():
        raise BatchInputError("the file is empty: the first line must name the columns (id,name)")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise BatchInputError("the file is UTF-16 text: save it as CSV in UTF-8")
    if raw.startswith(b"PK\x03\x04") or raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise BatchInputError("this is a spreadsheet, not a CSV file: save it as CSV (UTF-8)")
    if len(raw) == MAX_LINE and not raw.endswith(b"\n"):
        raise BatchInputError(f"line 1: longer than {MAX_LINE:,} bytes: this is not a CSV file with a header line")
    raw = raw.removeprefix(codecs.BOM_UTF8)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BatchInputError(f"line 1: not UTF-8 text (byte {exc.start + 1}): save the file as CSV in UTF-8") from None
    if "\x00" in text:
        raise BatchInputError("line 1: holds NUL bytes: this is not a CSV text file")
    if "\r" in text.rstrip("\r\n"):
        raise BatchInputError("lines end with a bare carriage return: save the file with ordinary line ends")
    return text


def _detect_header(first: str) -> Header:
    error: BatchInputError | None = None
    for delimiter in DELIMITERS:
        try:
            return parse_header(next(csv.reader([first], delimiter=delimiter)), delimiter)
        except BatchInputError as exc:
            error = error or exc
        except csv.Error as exc:
            error = error or BatchInputError(f"line 1: not a CSV header line ({exc})")
    assert error is not None
    raise error


def read_header(path: Path) -> Header:
    """Check that ``path`` is a readable CSV with a usable header line (BatchInputError if not)."""
    with _open_input(path) as handle:
        return _detect_header(_first_line(handle))


def _open_input(path: Path):
    try:
        return open(path, "rb")  # noqa: SIM115 - closed by the callers' with
    except FileNotFoundError:
        raise BatchInputError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise BatchInputError(f"{path} is a folder, not a CSV file") from None
    except PermissionError:
        raise BatchInputError(f"cannot read {path}: permission denied") from None


@dataclass
class _Item:
    """One data row read: a query (``row``) or a rejection (``reason``)."""

    line: int
    row: Row | None = None
    row_id: str = ""
    reason: str | None = None


def read_rows(path: Path) -> Iterator[_Item]:
    """Every data row of ``path`` in order, validated; blank lines are skipped."""
    with _open_input(path) as handle:
        first = _first_line(handle)
        header = _detect_header(first)
        lines = _Lines(handle)
        lines.number = 1
        reader = csv.reader(lines, delimiter=header.delimiter)
        id_position = header.positions.get("id")
        while True:
            start = lines.number + 1
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                lines.problems.clear()
                where = f" (lines {start}-{lines.number})" if lines.number > start else ""
                yield _Item(start, reason=f"not valid CSV: {exc}{where}")
                continue
            end = lines.number
            problems = [reason for _, reason in sorted(lines.problems.items())]  # this record's lines
            lines.problems.clear()
            row_id = (
                fields[id_position].strip()[:MAX_ID] if id_position is not None and id_position < len(fields) else ""
            )
            if problems:
                yield _Item(start, row_id=row_id, reason=problems[0])
            elif not any(f.strip() for f in fields):
                continue  # a blank line (or only separators)
            elif end > start:
                yield _Item(
                    start, row_id=row_id, reason=f"a quoted value runs over lines {start}-{end} (unbalanced quote?)"
                )
            else:
                try:
                    yield _Item(start, validate_row(header, fields, start))
                except RowRejected as exc:
                    yield _Item(start, row_id=row_id, reason=exc.reason)


def estimate_rows(path: Path) -> int:
    """The number of data rows, counted by line ends (quick; blank lines counted too)."""
    lines, last = 0, b"\n"
    with _open_input(path) as handle:
        while block := handle.read(1 << 20):
            lines += block.count(b"\n")
            last = block[-1:]
    return max(0, lines + (last != b"\n") - 1)


# --- screening ------------------------------------------------------------------------


class _Screener:
    """Everything a worker needs to screen a chunk of rows; built in the parent, inherited by fork."""

    def __init__(
        self, index: ScreeningIndex, readable: list[bool], threshold: float, limit: int,
        suppressions: Suppressions | None, include_suppressed: bool,
    ) -> None:  # fmt: skip
        self.index = index
        self.readable = readable
        self.threshold = threshold
        self.limit = limit
        self.suppressions = suppressions
        self.include_suppressed = include_suppressed

    def screen(self, rows: list[Row]) -> list[tuple]:
        out: list[tuple] = []
        suppressions = self.suppressions
        # Room for hits a suppression takes out, so that ``limit`` hits are still given.
        wanted = self.limit + (len(suppressions) if suppressions and not self.include_suppressed else 0)
        for row in rows:
            query = make_query(self.index, row.name, row.country, row.schema)
            hits = best_hits(
                self.index, query, limit=wanted, threshold=self.threshold, readable=self.readable.__getitem__
            )
            key = subject_key(row.name, row.country) if suppressions else ""
            rank = 0
            for hit in hits:
                if rank == self.limit:
                    break
                lists, entries = service.party_lists(self.index, hit.party_id, self.readable.__getitem__)
                suppressed = bool(suppressions) and service.party_suppression(suppressions, key, entries)[0]
                if suppressed and not self.include_suppressed:
                    continue
                rank += 1
                # entity_id: the party; list: every list it is on, sorted, joined by ";"
                listed = ";".join(lists) or hit.dataset
                values = (row.id, rank, f"{hit.score:.4f}", hit.party_id, listed, hit.matched_name, hit.caption)
                if self.include_suppressed:
                    values += ("true" if suppressed else "false",)
                out.append(values)
        return out


_worker_screener: _Screener | None = None


def _init_worker(screener: _Screener) -> None:
    global _worker_screener
    _worker_screener = screener
    # Ctrl-C is the parent's to handle (it stops the workers); a server's SIGTERM handler,
    # inherited by the fork, must not keep a worker alive; and a worker dies with its parent.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG (Linux)


def _screen_in_worker(rows: list[Row]) -> list[tuple]:
    assert _worker_screener is not None
    return _worker_screener.screen(rows)


def _chunks(items: Iterator[_Item], on_reject: Callable[[_Item], None]) -> Iterator[tuple[list[Row], int]]:
    """Chunks of valid rows, each with the number of rows read up to its end; rejects go to ``on_reject``."""
    chunk: list[Row] = []
    count = 0
    for item in items:
        count += 1
        if item.row is None:
            on_reject(item)
        else:
            chunk.append(item.row)
        if len(chunk) == CHUNK_ROWS:
            yield chunk, count
            chunk = []
    yield chunk, count


def run_batch(
    session: Session,
    viewer: Viewer,
    input_path: str | os.PathLike,
    output_path: str | os.PathLike,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    limit: int = 3,
    rejects_path: str | os.PathLike | None = None,
    strict: bool = False,
    workers: int = 2,
    include_suppressed: bool = False,
    progress: Callable[[int], None] | None = None,
) -> BatchSummary:
    """Screen every row of ``input_path`` and write the hits to ``output_path`` (see the module doc).

    ``rejects_path`` defaults to OUTPUT.rejects.csv (always written, header only when nothing
    was rejected; not written in strict mode). ``workers`` processes screen (1: in this
    process). ``progress(rows_done)`` is called as chunks complete. Raises BatchInputError when
    the input is unusable or, with ``strict``, at the first malformed row; the output files
    are then left as they were."""
    started = time.perf_counter()
    source, output = Path(input_path), Path(output_path)
    rejects = Path(rejects_path) if rejects_path else default_rejects_path(output)
    if not 0 <= threshold <= 1:
        raise BatchInputError(f"the threshold must be between 0 and 1, not {threshold}")
    if limit < 1:
        raise BatchInputError(f"the limit must be at least 1, not {limit}")
    _check_paths(source, output, None if strict else rejects)
    for path in (output, rejects):  # what a run killed while writing these left behind
        remove_stale_partials(path)
    read_header(source)  # an unusable file fails before the index is built
    if strict:  # a quick pass first: a malformed row stops the run before any screening
        for item in read_rows(source):
            if item.row is None:
                raise BatchInputError(f"line {item.line}: {item.reason} (--strict: nothing was written)")

    index, markings = service.get_index(session)
    readable = [can_read(viewer, markings[number]) for number in range(len(index))]
    suppressions = Suppressions.load(session, viewer)
    summary = BatchSummary(receipt=service.receipt(session))
    screener = _Screener(index, readable, threshold, limit, suppressions, include_suppressed)
    make_query(index, "中国 warm-up")  # lazily loaded normalization data: loaded once, before forking

    columns = COLUMNS + ((SUPPRESSED_COLUMN,) if include_suppressed else ())
    with contextlib.ExitStack() as stack:
        out_file = stack.enter_context(_Staged(output))
        # RFC 4180 (CRLF); every text cell below the header quoted, quote-prefixed where a spreadsheet would
        # compute it
        csv.writer(out_file.handle).writerow(columns)
        out_writer = csv.writer(out_file.handle, quoting=csv.QUOTE_NONNUMERIC)
        rej_writer = None
        if not strict:
            rej_file = stack.enter_context(_Staged(rejects))
            csv.writer(rej_file.handle).writerow(REJECT_COLUMNS)
            rej_writer = csv.writer(rej_file.handle, quoting=csv.QUOTE_NONNUMERIC)

        def on_reject(item: _Item) -> None:
            summary.rejected += 1
            if strict:
                raise BatchInputError(f"line {item.line}: {item.reason} (--strict: nothing was written)")
            rej_writer.writerow(csv_row((item.line, item.row_id, item.reason)))

        def write(chunk_rows: int, results: list[tuple], rows_read: int) -> None:
            summary.screened += chunk_rows
            summary.hits += len(results)
            out_writer.writerows(map(csv_row, results))
            if progress is not None:
                progress(rows_read)

        chunks = _chunks(read_rows(source), on_reject)
        if workers <= 1:
            for chunk, rows_read in chunks:
                write(len(chunk), screener.screen(chunk), rows_read)
                summary.rows = rows_read
        else:
            summary.rows = _run_pool(screener, chunks, workers, write)
        out_file.keep = True
        if not strict:
            rej_file.keep = True
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


def _run_pool(screener: _Screener, chunks, workers: int, write) -> int:
    """Screen the chunks in ``workers`` forked processes, a bounded window in flight, written in order."""
    gc.collect()
    gc.freeze()  # the index is shared copy-on-write: keep the collector from touching (copying) it
    pool = ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("fork"), initializer=_init_worker, initargs=(screener,)
    )
    pending: deque[tuple[int, int, Future]] = deque()
    rows = 0
    try:
        for chunk, rows_read in chunks:
            rows = rows_read
            pending.append((len(chunk), rows_read, pool.submit(_screen_in_worker, chunk)))
            while len(pending) >= workers * CHUNKS_IN_FLIGHT_PER_WORKER:
                size, done, future = pending.popleft()
                write(size, future.result(), done)
        while pending:
            size, done, future = pending.popleft()
            write(size, future.result(), done)
    except BaseException:
        for _, _, future in pending:
            future.cancel()
        for process in list(getattr(pool, "_processes", {}).values()):  # do not wait for running chunks
            process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        gc.unfreeze()
    pool.shutdown(wait=True)
    return rows


def remove_stale_partials(path: Path) -> int:
    """Remove the partial files of ``path`` that no run holds any more (their run was killed); the
    number removed. A run still writing holds its file's lock: its file stays."""
    removed = 0
    for partial in path.parent.glob(f".{glob.escape(path.name)}.*.partial"):
        try:
            fd = os.open(partial, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # another run is writing it
        else:
            partial.unlink(missing_ok=True)
            removed += 1
        finally:
            os.close(fd)
    return removed


def default_rejects_path(output: Path) -> Path:
    """OUT.csv -> OUT.rejects.csv"""
    stem = output.name[: -len(".csv")] if output.name.lower().endswith(".csv") else output.name
    return output.with_name(f"{stem}.rejects.csv")


def _check_paths(source: Path, output: Path, rejects: Path | None) -> None:
    if not source.is_file():
        raise BatchInputError(f"no such file: {source}" if not source.exists() else f"{source} is not a file")
    resolved = {source.resolve(): "the input"}
    for path, what in ((output, "the output"), (rejects, "the rejects file")):
        if path is None:
            continue
        if not path.parent.is_dir():
            raise BatchInputError(f"cannot write {what} {path}: no folder {path.parent}")
        if path.resolve() in resolved:
            raise BatchInputError(f"{what} {path} would overwrite {resolved[path.resolve()]}")
        if path.is_dir():
            raise BatchInputError(f"{what} {path} is a folder")
        resolved[path.resolve()] = what


class _Staged:
    """A file written beside its final path and moved there only when ``keep`` is set at exit:
    a failed or interrupted run leaves no partial file (and an older file stays as it was). While
    it writes, the run holds a lock on its partial file; a run killed outright (kill -9) leaves the
    file, unlocked, for the next run to the same path to remove (``remove_stale_partials``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.keep = False

    def __enter__(self) -> _Staged:
        self._temp = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}.partial")
        fd = os.open(self._temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released when the file is closed or the run dies
        self.handle = open(fd, "w", encoding="utf-8", newline="")  # noqa: SIM115
        return self

    def __exit__(self, exc_type, *_) -> None:
        self.handle.close()
        if self.keep and exc_type is None:
            os.replace(self._temp, self.path)
        else:
            self._temp.unlink(missing_ok=True)
