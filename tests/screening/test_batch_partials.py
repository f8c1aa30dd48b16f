"""A screen-batch run writes beside its output (``.OUT.csv.<random>.partial``) and moves the file into place
at the end. A run killed mid-way leaves its partial files: the next run to the same output removes them
(never those of a run still writing); a run stopped by SIGTERM removes its own at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from goodpath.lists import service as lists
from goodpath.screening import batch
from tests.factories import OPERATOR, entity, parsed

ROWS = 400_000  # long enough a run to be stopped half-way
pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # files, not storage: one database


SCREEN_BATCH = "import typer; from goodpath.screening.batch_commands import screen_batch; typer.run(screen_batch)"


def partials(folder: Path) -> list[Path]:
    return sorted(folder.glob(".*.partial"))


@pytest.fixture
def listed(session):
    lists.apply_parsed(session, parsed([entity("2", "BANCO NACIONAL DE CUBA")]), dataset="partials")
    session.commit()
    return session


@pytest.fixture(scope="module")
def big_input(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("batch") / "customers.csv"
    with open(path, "w", encoding="utf-8") as out:
        out.write("id,name\n")
        out.writelines(f"{i},Trading Company Number {i}\n" for i in range(ROWS))
    return path


def start(source: Path, output: Path) -> subprocess.Popen:
    """``goodpath screen-batch SOURCE -o OUTPUT`` in a process of its own (the command alone: quicker to load)."""
    command = [sys.executable, "-c", SCREEN_BATCH, str(source), "-o", str(output), "--workers", "1"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ.copy())


def stop_while_writing(process: subprocess.Popen, folder: Path, sig: int) -> list[Path]:
    deadline = time.monotonic() + 60
    while not partials(folder):
        assert process.poll() is None, process.stderr.read().decode()
        assert time.monotonic() < deadline, "the run never started writing"
        time.sleep(0.01)
    time.sleep(0.2)
    assert process.poll() is None, "the run ended before it could be stopped"
    written = partials(folder)
    process.send_signal(sig)
    process.wait(30)
    return written


def test_a_killed_runs_partial_files_are_removed_by_the_next_run(listed, big_input, tmp_path):
    output = tmp_path / "out.csv"
    left = stop_while_writing(start(big_input, output), tmp_path, signal.SIGKILL)
    assert left and all(p.name.startswith((".out.csv.", ".out.rejects.csv.")) for p in left)
    assert partials(tmp_path) == left and not output.exists()  # what kill -9 leaves behind

    small = tmp_path / "small.csv"
    small.write_text("id,name\n1,Banco Nacional de Cuba\n")
    summary = batch.run_batch(listed, OPERATOR, small, output, workers=1)
    assert summary.rows == 1 and output.exists()
    assert partials(tmp_path) == []


def test_a_run_stopped_by_sigterm_removes_its_partial_files(listed, big_input, tmp_path):
    output = tmp_path / "out.csv"
    process = start(big_input, output)
    stop_while_writing(process, tmp_path, signal.SIGTERM)
    assert process.returncode != 0
    assert partials(tmp_path) == [] and not output.exists()


def test_the_partial_files_of_a_run_still_writing_are_left_alone(listed, tmp_path):
    output = tmp_path / "out.csv"
    with batch._Staged(output) as running:
        dead = tmp_path / ".out.csv.deadbeef.partial"
        dead.write_text("id,rank\n")
        assert batch.remove_stale_partials(output) == 1
        assert running._temp.exists() and not dead.exists()
    assert partials(tmp_path) == []
