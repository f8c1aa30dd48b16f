"""The import layers (README, Layout): data flows one way, top down.

The contracts live in pyproject.toml (``[tool.importlinter]``) and are checked with import-linter: no
package imports a package above it, no modules of a package import each other in a cycle, and no
import of goodpath code hides inside a function (where it would dodge both checks).
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src" / "goodpath"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(cwd: Path, pythonpath: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_the_import_contracts_hold():
    result = lint_imports(REPO, REPO / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


@pytest.fixture(scope="module")
def copy_of_the_package(tmp_path_factory) -> Path:
    """The package and the contracts, copied where an import can be added without touching the tree."""
    root = tmp_path_factory.mktemp("layers")
    shutil.copytree(SRC, root / "goodpath", ignore=shutil.ignore_patterns("__pycache__", "data", "static", "templates"))
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    return root


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("core/_added.py", "from goodpath.web import pages\n", "Layers"),  # the kernel reaching for the web
        ("registry/_added.py", "from goodpath.lists import service\n", "Layers"),  # one layer up
        ("pathway/_added.py", "from goodpath.cables import ingest\n", "Layers"),  # a sibling of its layer
        ("lists/records.py", "from goodpath.lists import service\n", "No import cycles"),  # records <-> service
    ],
)
def test_the_contracts_catch_an_upward_import_or_a_cycle(copy_of_the_package, module, line, broken):
    target = copy_of_the_package / "goodpath" / module
    original = target.read_text(encoding="utf-8") if target.exists() else None
    target.write_text((original or "") + line, encoding="utf-8")
    try:
        result = lint_imports(copy_of_the_package, copy_of_the_package)
    finally:
        if original is None:
            target.unlink()
        else:
            target.write_text(original, encoding="utf-8")
    assert result.returncode != 0
    assert f"{broken}" in result.stdout.split("Broken contracts", 1)[-1], result.stdout


def imports_inside_functions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    where = path.relative_to(REPO) if path.is_relative_to(REPO) else path.name
    found, seen = [], set()
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if id(node) in seen:  # a function inside a function: its imports are found once
                continue
            seen.add(id(node))
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if any(n == "goodpath" or n.startswith("goodpath.") for n in names) or (
                isinstance(node, ast.ImportFrom) and node.level
            ):
                found.append(f"{where}:{node.lineno}")
    return found


def test_no_goodpath_import_hides_inside_a_function():
    found = [hit for path in sorted(SRC.rglob("*.py")) for hit in imports_inside_functions(path)]
    assert found == []


def test_the_function_import_check_sees_one(tmp_path):
    sample = tmp_path / "sample.py"
    code = (
        "import json\n\n\ndef f():\n    import csv\n    from goodpath.core import errors\n\n"
        "    def g():\n        from . import x\n    return errors, csv, json\n"
    )
    sample.write_text(code, encoding="utf-8")
    assert imports_inside_functions(sample) == ["sample.py:6", "sample.py:9"]
