"""Cable parser benchmark: organization-extraction precision/recall on the two seed cables, and
parsing throughput against a naive baseline, printed and written to bench/results/cables.json.

    .venv/bin/python bench/cables.py [--rounds 300]

Extraction. GOLD below is a hand-made list (made for this benchmark by reading the two seeds):
for each cable, every organization named in a numbered paragraph, with the paragraphs naming
it. Scores are computed at two levels: organizations per cable (cable, organization) and
mentions (cable, organization, paragraph). CAVEAT: the gazetteer
(src/goodpath/cables/data/organizations.yaml) was curated from these same seeds, so these are
in-sample figures, an upper bound rather than an estimate for unseen cables; the gold list does
include a mention the gazetteer deliberately leaves out (plain "UN resolutions" -> United Nations).

Throughput: the two seeds and the cablegate HTML page (shared folder), read once, parsed
``--rounds`` times each (full parse: format detection, HTML unwrapping, header, body,
extraction), single process. The baseline is a naive regex-only header scan (reference, DTG,
classification, SUBJECT and TAGS searched in the raw text, no HTML parsing, no paragraphs, no
extraction): the cost floor of merely looking at the text. Both are measured the same way: a
warm-up (``--warmup`` passes over the three cables, untimed), then ``--runs`` timed runs of
``--rounds`` passes each, interleaved (parser run, baseline run, parser run ...) so that a change
in machine load hits both alike; the figure reported is the median run, with the slowest and
fastest runs alongside. The machine's load average is recorded: on a shared machine the spread
between runs says how far to trust one figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from goodpath.cables import parse_text  # noqa: E402
from goodpath.cables.formats import decode  # noqa: E402
from goodpath.core.settings import get_settings  # noqa: E402

SHARED = get_settings().shared_dir
FILES = {
    "07BEIJING1900": SHARED / "seeds" / "000_6a1cbc83fd7c25d4.txt",
    "07BEIJING5360": SHARED / "seeds" / "001_bedb6463c994f4a0.txt",
    "07BEIJING1760": SHARED / "cables" / "07BEIJING1760.html",
}
RESULTS = Path(__file__).resolve().parent / "results" / "cables.json"

# Hand-made gold list: canonical organization -> paragraphs naming it (numbers as corrected, 1-9).
GOLD = {
    "07BEIJING1900": {
        "Ministry of Foreign Affairs of China": [1, 6, 7],  # "MFA Director General", "MFA officials", "MFA would"
        "MFA Arms Control and Disarmament Department": [1, 2, 5, 8],
        "Bureau of International Security and Nonproliferation": [1, 3],  # "ISN A/S Rood"
        "U.S. Embassy Beijing": [1, 5],  # "the United States Embassy", "Embassy Beijing officers"
        "UN Security Council": [2, 3],  # "UN Security Council", "the UNSC"
        "United Nations": [3],  # "UN resolutions concerning the DPRK"
        "Global Initiative to Combat Nuclear Terrorism": [3],
        "Great Wall Airlines": [4],
        "China Great Wall Industry Corporation": [6],
        "China National Electronics Import-Export Company": [6],
    },
    "07BEIJING5360": {
        # "ISN PDAS", "... of State for International Security and Nonproliferation"
        "Bureau of International Security and Nonproliferation": [1, 2],
        "China North Industries Corporation": [1, 3, 5],
        "MFA Arms Control and Disarmament Department": [1, 2],
        "China Great Wall Industry Corporation": [1, 5],
        "UN Security Council": [3],
        "University of Georgia": [3],
        "China Arms Control and Disarmament Agency": [3],
        "Ministry of Foreign Affairs of China": [5],  # "the hand of the MFA"
    },
}  # fmt: skip

_BASELINE = {
    "dtg": re.compile(r"\b\d{6}Z [A-Z]{3} \d{2}\b"),
    "subject": re.compile(r"SUBJECT:?\s*(.+)"),
    "tags": re.compile(r"TAGS:?\s*(.+)"),
    "classification": re.compile(r"\b(UNCLASSIFIED|CONFIDENTIAL|SECRET|S E C R E T|C O N F I D E N T I A L)\b"),
    "banner": re.compile(r"\b([A-Z]+) (\d{6})\b"),
}


def baseline_scan(text: str) -> dict[str, str | None]:
    found = {}
    for key, pattern in _BASELINE.items():
        match = pattern.search(text)
        found[key] = match.group(0) if match else None
    return found


def _prf(predicted: set, gold: set) -> dict[str, float | int]:
    hits = len(predicted & gold)
    precision = hits / len(predicted) if predicted else 0.0
    recall = hits / len(gold) if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"predicted": len(predicted), "gold": len(gold), "correct": hits,
            "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}  # fmt: skip


def extraction(texts: dict[str, str]) -> dict:
    orgs_pred, orgs_gold, mentions_pred, mentions_gold = set(), set(), set(), set()
    missed, spurious = [], []
    for ref, gold in GOLD.items():
        cable = parse_text(texts[ref])
        for org in cable.organizations:
            orgs_pred.add((ref, org["name"]))
            mentions_pred.update((ref, org["name"], n) for n in org["paragraphs"])
        for name, paragraphs in gold.items():
            orgs_gold.add((ref, name))
            mentions_gold.update((ref, name, n) for n in paragraphs)
    missed = sorted(mentions_gold - mentions_pred)
    spurious = sorted(mentions_pred - mentions_gold)
    return {
        "organizations": _prf(orgs_pred, orgs_gold),
        "mentions": _prf(mentions_pred, mentions_gold),
        "missed": [list(m) for m in missed],
        "spurious": [list(m) for m in spurious],
    }


def _timed_run(texts: list[str], rounds: int, function) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            function(text)
    return time.perf_counter() - start


def throughput(texts: list[str], rounds: int, runs: int, warmup: int, functions: dict) -> dict[str, dict]:
    """Cables per second of each function: median of ``runs`` timed runs, after a warm-up, runs interleaved."""
    for function in functions.values():
        for _ in range(warmup):  # first calls fill caches (gazetteer, compiled patterns): not the steady state
            for text in texts:
                function(text)
    seconds: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(runs):
        for name, function in functions.items():
            seconds[name].append(_timed_run(texts, rounds, function))
    count = rounds * len(texts)
    result = {}
    for name, times in seconds.items():
        rates = sorted(count / elapsed for elapsed in times)
        result[name] = {
            "cables_per_run": count,
            "runs": runs,
            "cables_per_second": round(statistics.median(rates), 1),
            "slowest_run": round(rates[0], 1),
            "fastest_run": round(rates[-1], 1),
            "seconds_per_run": [round(elapsed, 4) for elapsed in times],
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=200, help="passes over the 3 cables in one timed run")
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each function (the median is reported)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed passes over the 3 cables first")
    args = parser.parse_args()
    texts = {ref: decode(path.read_bytes()) for ref, path in FILES.items()}
    scores = extraction(texts)
    load_before = os.getloadavg()
    timed = throughput(
        list(texts.values()), args.rounds, args.runs, args.warmup, {"parse_text": parse_text, "baseline": baseline_scan}
    )
    full, base = timed["parse_text"], timed["baseline"]
    result = {
        "extraction": scores,
        "gold": "hand-made list in bench/cables.py (GOLD); in-sample: the gazetteer was curated from the same seeds",
        "throughput": {
            "goodpath_parse_text": full,
            "baseline_regex_header_scan": base,
            "target_cables_per_second": 1000,
        },
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average_before": list(load_before),
            "load_average_after": list(os.getloadavg()),
        },
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    orgs, mentions = scores["organizations"], scores["mentions"]
    print("Organization extraction on the 2 seed cables (hand-made gold list, in-sample):")
    print(
        f"  organizations per cable: precision {orgs['precision']:.3f}  recall {orgs['recall']:.3f}  "
        f"({orgs['correct']}/{orgs['predicted']} predicted, {orgs['correct']}/{orgs['gold']} gold)"
    )
    print(
        f"  mentions by paragraph:   precision {mentions['precision']:.3f}  recall {mentions['recall']:.3f}  "
        f"({mentions['correct']}/{mentions['predicted']} predicted, {mentions['correct']}/{mentions['gold']} gold)"
    )
    for item in scores["missed"]:
        print(f"  missed:   {item[0]} ¶{item[2]} {item[1]}")
    for item in scores["spurious"]:
        print(f"  spurious: {item[0]} ¶{item[2]} {item[1]}")
    print(
        f"Throughput (the 2 seeds + the HTML page; median of {full['runs']} runs of {full['cables_per_run']} "
        f"parses each, after a warm-up; one process):"
    )
    for label, item, note in (
        ("goodpath parse_text:       ", full, "  (target >= 1,000)"),
        ("baseline regex header scan:", base, ""),
    ):
        print(
            f"  {label} {item['cables_per_second']:>10,.1f} cables/s  "
            f"(runs {item['slowest_run']:,.1f} .. {item['fastest_run']:,.1f}){note}"
        )
    print(f"  load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}; written to {RESULTS}")
    # fmt: skip


if __name__ == "__main__":
    main()
