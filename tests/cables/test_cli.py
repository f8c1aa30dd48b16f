"""``goodpath cables parse``: one file -> one JSON object, several -> JSON lines, errors per file."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from goodpath.cli import app

runner = CliRunner()


def test_one_file_prints_one_json_object(cable_files):
    result = runner.invoke(app, ["cables", "parse", str(cable_files["07BEIJING5360"]), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["reference_id"] == "07BEIJING5360" and len(data["paragraphs"]) == 6


def test_several_files_print_json_lines_and_errors_name_the_file(cable_files, tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("nothing official\n")
    paths = [str(cable_files[key]) for key in ("07BEIJING1900", "07BEIJING1760")]
    result = runner.invoke(app, ["cables", "parse", *paths, str(bad), "--json"])
    assert result.exit_code == 1
    lines = result.stdout.strip().splitlines()
    assert [json.loads(line)["reference_id"] for line in lines] == ["07BEIJING1900", "07BEIJING1760"]
    assert f"{bad}: not a cable" in result.stderr


def test_folder_and_summary(cable_files, tmp_path):
    folder = tmp_path / "cables"
    folder.mkdir()
    (folder / "a.txt").write_bytes(cable_files["07BEIJING1900"].read_bytes())
    (folder / "b.html").write_bytes(cable_files["07BEIJING1760"].read_bytes())
    result = runner.invoke(app, ["cables", "parse", str(folder)])
    assert result.exit_code == 0, result.output
    assert "07BEIJING1900 [raw-telegram] SECRET 210558Z MAR 07" in result.stdout
    assert "07BEIJING1760 [cablegate-html] CONFIDENTIAL" in result.stdout
    assert "warning: paragraph numbers printed 11-19 corrected to 1-9" in result.stdout
