"""Cable parser benchmark: reading accuracy on an evaluation set of real cables (bench/data/cables,
issue 24), organization-extraction precision/recall on the two seed cables, and parsing throughput
against a naive baseline, printed and written to bench/results/cables.json.

    .venv/bin/python bench/cables.py [--rounds 300]

Reading accuracy. bench/data/cables/manifest.json lists each real cable with its truth, taken from the
copy's own markup (header table, paragraph signs) or by hand (see its SOURCES.md and make_manifest.py).
Each cable is read as found, and again re-laid in the other circulating layouts (a cablegate page saved
as text: its header table one cell a line; a tab-separated table in another order; a markdown copy; the
cablegate HTML page; the telegram reflowed with its E.O. and TAGS lines merged). Reported per part of
the set ("tune": the cables read while writing the rules; "heldout": the others) and per layout: the
share of cables whose reference id, classification, created date (where the copy prints one), tags and
numbered paragraphs (the same numbers, in order) are right, and the files refused.

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
import html
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
from goodpath.cables.parsed_cable import CableFormatError  # noqa: E402
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


DATA = Path(__file__).resolve().parent / "data" / "cables"
FIELDS = ("reference_id", "classification", "created", "tags", "paragraphs")


def _decode(path: Path) -> str:
    return decode(path.read_bytes())


def _telegram_and_table(entry: dict, text: str) -> tuple[str, dict[str, str]]:
    """The telegram of a copy and the header-table cells its copy printed (or the truth known for it)."""
    lines = text.split("\n")
    if entry["file"].startswith("alx/"):  # a cablegate text copy: five header-table cells, then the telegram
        cells = {"Reference ID": lines[0].strip(), "Created": lines[2].strip(), "Classification": lines[3].strip(),
                 "Origin": lines[4].strip()}  # fmt: skip
        if entry["created"]:
            cells["Created"] = entry["created"].replace("T", " ")[:16]
        return "\n".join(lines[5:]), cells
    return text, {"Reference ID": entry["reference_id"], "Classification": entry["classification"]}


def _cablegate_text(telegram: str, cells: dict[str, str]) -> str:
    labels = [label for label in ("Reference ID", "Created", "Classification", "Origin") if label in cells]
    page = ["Viewing cable " + cells["Reference ID"], "", "If you are new to these pages, please read an introduction",
            "on the structure of a cable as well as how to discuss them with others.", ""]  # fmt: skip
    return "\n".join([*page, *labels, *(cells[label] for label in labels), "", telegram])


def _tab_table(telegram: str, cells: dict[str, str]) -> str:
    labels = sorted(cells, reverse=True)  # another order than the page's
    return "\t".join(labels) + "\n" + "\t".join(cells[label] for label in labels) + "\n\n" + telegram


def _markdown(telegram: str, cells: dict[str, str]) -> str:
    labels = list(cells)
    table = ["| " + " | ".join(labels) + " |", "|" + "---|" * len(labels),
             "| " + " | ".join(cells[label] for label in labels) + " |"]  # fmt: skip
    return "\n".join([f"# {cells['Reference ID']}", "", *table, "", "```", telegram, "```", ""])


def _html(telegram: str, cells: dict[str, str]) -> str:
    labels = list(cells)
    head = "".join(f"<th>{label}</th>" for label in labels)
    row = "".join(f"<td>{html.escape(cells[label])}</td>" for label in labels)
    return (f"<html><head><title>Cable {cells['Reference ID']}</title></head><body>"
            f"<table class='cable'><tr>{head}</tr><tr>{row}</tr></table>"
            f"<pre>{html.escape(telegram)}</pre></body></html>")  # fmt: skip


_PARAGRAPH_START = re.compile(r"^\s*(?:¶\s*)?\d{1,3}\.\s")


def _reflowed(telegram: str, cells: dict[str, str]) -> str:
    """The page saved as text, its telegram's E.O. and TAGS lines on one line, its paragraphs re-wrapped."""
    return _cablegate_text(_reflow(telegram), cells)


def _reflow(telegram: str) -> str:
    """The telegram with its E.O. and TAGS lines on one line and its paragraphs re-wrapped at 60 columns."""
    out: list[str] = []
    block: list[str] = []

    def flush() -> None:
        words = " ".join(block).split()
        line = ""
        for word in words:
            if line and len(line) + 1 + len(word) > 60 and not re.match(r"\d{1,3}\.$", word):
                out.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        if line:
            out.append(line)
        block.clear()

    in_body = False
    for line in telegram.split("\n"):
        stripped = line.strip()
        if not in_body:
            if stripped.startswith("TAGS") and out and out[-1].startswith("E.O."):
                out[-1] = f"{out[-1]} {stripped}"
                continue
            if _PARAGRAPH_START.match(stripped):
                in_body = True
            else:
                out.append(line)
                continue
        if not stripped or _PARAGRAPH_START.match(stripped):
            flush()
            if not stripped:
                out.append("")
                continue
        block.append(stripped)
    flush()
    return "\n".join(out)


LAYOUTS = {"cablegate-text": _cablegate_text, "tab-table": _tab_table, "markdown": _markdown, "html": _html,
           "reflowed": _reflowed}  # fmt: skip


def _score(entry: dict, text: str) -> dict[str, bool | None]:
    """For each field, right (True), wrong (False) or not scored (None: no truth for it)."""
    try:
        cable = parse_text(text)
    except CableFormatError:
        refused = True
    else:
        refused = False
    if entry["refused"]:
        return {"refused_right": refused, **{name: None for name in FIELDS}}
    if refused:
        return {"refused_right": False, **{name: False if entry.get(name) is not None or name in
                ("reference_id", "classification", "paragraphs") else None for name in FIELDS}}  # fmt: skip
    numbers = [p.number for p in cable.paragraphs if p.number is not None]
    found = {"reference_id": cable.reference_id, "classification": cable.classification, "created": cable.created,
             "tags": cable.tags, "paragraphs": numbers}  # fmt: skip
    result: dict[str, bool | None] = {"refused_right": True}
    for name in FIELDS:
        truth = entry.get(name)
        if truth is None and name in ("created", "tags"):
            result[name] = None
        else:
            result[name] = found[name] == truth
    return result


def evaluation(manifest: dict) -> dict:
    """Accuracy per split and layout; the cables each field was wrong for."""
    tallies: dict[str, dict[str, dict]] = {}
    for entry in manifest["cables"]:
        text = _decode(DATA / entry["file"])
        variants = {"as-found": text}
        if not entry["refused"]:
            telegram, cells = _telegram_and_table(entry, text)
            variants.update({name: render(telegram, cells) for name, render in LAYOUTS.items()})
        for layout, variant in variants.items():
            scores = _score(entry, variant)
            for split in (entry["split"], "all"):
                tally = tallies.setdefault(split, {}).setdefault(layout, {"cables": 0, "refused_wrongly": 0,
                                                                          "fields": {}, "wrong": {}})  # fmt: skip
                tally["cables"] += 1
                tally["refused_wrongly"] += 0 if scores["refused_right"] else 1
                for name in FIELDS:
                    if scores[name] is None:
                        continue
                    counts = tally["fields"].setdefault(name, [0, 0])
                    counts[0] += bool(scores[name])
                    counts[1] += 1
                    if not scores[name]:
                        tally["wrong"].setdefault(name, []).append(entry["reference_id"])
    report: dict[str, dict] = {}
    for split, layouts in tallies.items():
        report[split] = {}
        for layout, tally in layouts.items():
            fields = {name: {"right": right, "scored": scored, "accuracy": round(right / scored, 4)}
                      for name, (right, scored) in tally["fields"].items()}  # fmt: skip
            report[split][layout] = {"cables": tally["cables"], "refused_wrongly": tally["refused_wrongly"],
                                     "fields": fields, "wrong": tally["wrong"]}  # fmt: skip
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=200, help="passes over the 3 cables in one timed run")
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each function (the median is reported)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed passes over the 3 cables first")
    parser.add_argument("--eval-rounds", type=int, default=10, help="passes over the evaluation set in one timed run")
    args = parser.parse_args()
    texts = {ref: decode(path.read_bytes()) for ref, path in FILES.items()}
    scores = extraction(texts)
    manifest = json.loads((DATA / "manifest.json").read_text())
    reading = evaluation(manifest)
    eval_texts = [_decode(DATA / entry["file"]) for entry in manifest["cables"] if not entry["refused"]]
    load_before = os.getloadavg()
    timed = throughput(
        list(texts.values()), args.rounds, args.runs, args.warmup, {"parse_text": parse_text, "baseline": baseline_scan}
    )
    full, base = timed["parse_text"], timed["baseline"]
    eval_rounds = max(1, args.eval_rounds)
    eval_timed = throughput(
        eval_texts, eval_rounds, args.runs, 2, {"parse_text": _parse_or_none, "baseline": baseline_scan}
    )
    result = {
        "reading": reading,
        "evaluation_set": {"cables": len(manifest["cables"]), "manifest": str(DATA / "manifest.json")},
        "throughput_evaluation_set": {
            "goodpath_parse_text": eval_timed["parse_text"],
            "baseline_regex_header_scan": eval_timed["baseline"],
            "ratio_parse_to_baseline": round(
                eval_timed["parse_text"]["cables_per_second"] / eval_timed["baseline"]["cables_per_second"], 3
            ),
        },
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
    _print_reading(reading, len(manifest["cables"]))
    ev, eb = eval_timed["parse_text"], eval_timed["baseline"]
    print(
        f"Throughput on the evaluation set ({len(eval_texts)} copies as found; median of {ev['runs']} runs of "
        f"{ev['cables_per_run']} parses): parse_text {ev['cables_per_second']:,.1f} cables/s "
        f"(runs {ev['slowest_run']:,.1f} .. {ev['fastest_run']:,.1f}), baseline scan {eb['cables_per_second']:,.1f} "
        f"cables/s; ratio {result['throughput_evaluation_set']['ratio_parse_to_baseline']}"
    )
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


def _parse_or_none(text: str):
    try:
        return parse_text(text)
    except CableFormatError:
        return None


def _print_reading(reading: dict, count: int) -> None:
    print(f"Reading accuracy on the evaluation set ({count} real cables; truth from the copies' markup / by hand):")
    for split in ("tune", "heldout", "all"):
        for layout, item in reading.get(split, {}).items():
            fields = "  ".join(
                f"{name} {value['accuracy'] * 100:5.1f}% ({value['right']}/{value['scored']})"
                for name, value in item["fields"].items()
            )
            print(f"  {split:7} {layout:14} refused wrongly {item['refused_wrongly']}  {fields}")
    wrong = reading.get("heldout", {}).get("as-found", {}).get("wrong", {})
    for name, refs in wrong.items():
        print(f"  held out, as found, {name} wrong: {', '.join(refs)}")


if __name__ == "__main__":
    main()
