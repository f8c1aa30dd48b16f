"""Baselines for the screening benchmark, run on the same queries as goodpath.

* rapidfuzz brute force: every query against every indexed name (``process.extract`` over
  the pre-processed names: the same work as ``extractOne``, but keeping the top few so ties
  and the expected party's score are known), with WRatio and with token_sort_ratio.
* nomenklatura: its matchers (logic-v2, yente's default, and ofac) re-score the parties
  of the rapidfuzz top candidates, as yente re-scores the candidates of its search index.
  nomenklatura is not a project dependency (it brings numpy, scipy, scikit-learn, duckdb):
  it is installed into a throwaway venv under bench/results/ that sees the project's
  packages, and runs there in a subprocess (bench/screening_nk.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import time
from collections.abc import Sequence
from pathlib import Path

from rapidfuzz import fuzz, process, utils
from screening_eval import EvalQuery, Outcome

from goodpath.screening.index import ScreeningIndex

SCORERS = {"rapidfuzz WRatio": fuzz.WRatio, "rapidfuzz token_sort_ratio": fuzz.token_sort_ratio}
TOP_K = 30  # names kept per query: ties, the expected party's score, nomenklatura's candidates


def _outcome(pairs: list[tuple[str, float, str]], query: EvalQuery) -> Outcome:
    """pairs: (party_id, score 0..1, matched name), best first."""
    if not pairs:
        return Outcome(None)
    best: dict[str, tuple[float, str]] = {}
    for party, value, name in pairs:
        if party not in best or value > best[party][0]:
            best[party] = (value, name)
    top = max(v for v, _ in best.values())
    tops = frozenset(p for p, (v, _) in best.items() if v == top)
    expected = max((best[p][0] for p in query.expected if p in best), default=None)
    first = min(tops)
    return Outcome(top, tops, expected, {"party_id": first, "matched_name": best[first][1], "score": top})


def rapidfuzz_brute_force(
    index: ScreeningIndex, queries: Sequence[EvalQuery]
) -> tuple[dict[str, list[Outcome]], dict[str, list[float]], list[list[str]]]:
    """Outcomes and per-query seconds per scorer; and each query's candidate parties (union of the top K)."""
    choices = [utils.default_process(n.value) for n in index.names]
    parties = [n.party_id for n in index.names]
    outcomes: dict[str, list[Outcome]] = {k: [] for k in SCORERS}
    seconds: dict[str, list[float]] = {k: [] for k in SCORERS}
    candidates: list[list[str]] = [[] for _ in queries]
    for label, scorer in SCORERS.items():
        for i, query in enumerate(queries):
            start = time.perf_counter()
            processed = utils.default_process(query.name)
            found = process.extract(processed, choices, scorer=scorer, processor=None, limit=TOP_K)
            seconds[label].append(time.perf_counter() - start)
            pairs = [(parties[j], s / 100, index.names[j].value) for _, s, j in found]
            outcomes[label].append(_outcome(pairs, query))
            for party, _, _ in pairs:
                if party not in candidates[i]:
                    candidates[i].append(party)
    return outcomes, seconds, candidates


# --- nomenklatura ------------------------------------------------------------------------------


def nomenklatura_python(venv: Path, constraints: Path, log) -> tuple[Path | None, str]:
    """An interpreter that can import nomenklatura and goodpath: this one, or a throwaway venv
    overlaid on this one's packages (created on first use). (None, reason) when it does not install."""
    try:
        import nomenklatura  # noqa: F401

        return Path(sys.executable), "installed in the project venv"
    except ImportError:
        pass
    python = venv / "bin" / "python"
    check = [str(python), "-c", "import nomenklatura, goodpath, rapidfuzz; print(nomenklatura.__file__)"]
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return python, f"throwaway venv {venv}"
    log(f"installing nomenklatura into a throwaway venv ({venv}) ...")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # Overlay: the venv sees the project's packages (goodpath, pinned followthemoney, rigour ...).
    ours = sysconfig.get_paths()["purelib"]
    Path(site, "zz_goodpath_overlay.pth").write_text(f"import site; site.addsitedir({ours!r})\n")
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "-c", str(constraints)]
    done = subprocess.run([*pip, "nomenklatura"], capture_output=True, text=True)
    if done.returncode != 0:
        errors = [line for line in done.stderr.splitlines() if "ERROR" in line] or done.stderr.splitlines()[-3:]
        return None, "pip install nomenklatura failed with the project's constraints: " + " | ".join(errors)
    broken = subprocess.run([str(python), "-m", "pip", "check"], capture_output=True, text=True)
    if broken.returncode != 0:
        return None, "nomenklatura installed but pip check fails: " + broken.stdout.strip()[:300]
    if subprocess.run(check, capture_output=True).returncode != 0:
        return None, "nomenklatura installed but does not import"
    return python, f"throwaway venv {venv} (created this run)"


def nomenklatura_run(
    python: Path,
    work: Path,
    index: ScreeningIndex,
    queries: Sequence[EvalQuery],
    candidates: list[list[str]],
    algorithms: Sequence[str],
) -> dict:
    """Run bench/screening_nk.py: per algorithm, per query, the scored candidate parties and the seconds."""
    wanted = {p for c in candidates for p in c}
    parties: dict[str, dict] = {}
    for indexed in index.names:
        if indexed.party_id in wanted:
            party = parties.setdefault(indexed.party_id, {"schema": indexed.schema, "names": []})
            if indexed.value not in party["names"]:
                party["names"].append(indexed.value)
    request = work / "nk-request.json"
    response = work / "nk-response.json"
    request.write_text(
        json.dumps(
            {
                "algorithms": list(algorithms),
                "parties": parties,
                "queries": [{"name": q.name, "candidates": c} for q, c in zip(queries, candidates, strict=True)],
            }
        )
    )
    worker = Path(__file__).with_name("screening_nk.py")
    subprocess.run([str(python), str(worker), str(request), str(response)], check=True)
    return json.loads(response.read_text())


def nomenklatura_outcomes(result: list[dict], queries: Sequence[EvalQuery], names: dict[str, str]) -> list[Outcome]:
    out = []
    for scored, query in zip(result, queries, strict=True):
        pairs = [(p, s, names.get(p, "")) for p, s in scored["scores"] if s > 0]
        out.append(_outcome(pairs, query))
    return out
