"""Cross-list identity benchmark (issue 20, item 5): one party per real-world entity.

On the real lists (OFAC SDN 2021, UN SC consolidated 2026, CSL 2022, see ../shared/data/SOURCES.md):

1. *Truth pairs*, read from the files apart from the registry: entries of two different lists known to
   be the same party through a deterministic key -- a CSL row carrying an SDN entity number and that
   SDN entry; a UN entry and an SDN entry with the same passport or national-id number of the same
   country (the holder's only nationality where the list gives none; numbers held by one entry only
   in each list, so the pair is certain).
2. *Deterministic merging at import*: the lists imported as an analyst would (SDN, then UN, then CSL);
   how many truth pairs end as one registry party, the merges made, the keys still shared by two
   parties (the target: none) and the ambiguous keys left alone.
3. *The candidate scorer*: the same imports without key merging (the CSL's SDN rows still join their
   SDN entries by number, as before this work), then the scored candidates with the identifier
   feature switched off (truth pairs share one by construction). Per threshold: recall of the UN-SDN
   truth pairs, and precision over labelled pairs -- a candidate pairing a party of a truth pair with
   another party of the other list is a false positive (closed world for the parties the truth knows);
   candidates about parties the truth does not know are counted apart (unlabelled).

Prints the figures and writes bench/results/identity.json. Never fails on time.

    .venv/bin/python bench/identity.py
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from sqlalchemy import select

import goodpath.models  # noqa: F401  (every table)
from goodpath.access.policy import Role, Viewer
from goodpath.core.db import new_session
from goodpath.core.migrate import upgrade
from goodpath.core.models import Classification
from goodpath.core.settings import get_settings
from goodpath.lists import formats, service
from goodpath.registry import identity, identity_score
from goodpath.registry.models import ListEntry, PartyMerge

DATA = get_settings().shared_dir / "data"
LISTS = [
    ("us-ofac-sdn", DATA / "ofac_sdn_2021", "ofac-csv"),
    ("un-sc", DATA / "un/consolidated.xml", "un-xml"),
    ("us-csl", DATA / "csl/consolidated.csv", "csl-csv"),
]
THRESHOLDS = (0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)
ANALYST = Viewer(Role.ANALYST, Classification.SECRET, "USA", 1, "bench")
NUMBER_SCHEMES = {"Passport": "passport", "National ID No.": "natid", "National Identification Number": "natid"}


def _plain(value: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", value.upper())


def truth_pairs(parsed: dict) -> dict[str, set[tuple]]:
    """(dataset, external id) pairs known to be one party, by kind of evidence."""
    sdn = {e.external_id for e in parsed["us-ofac-sdn"].entities}
    csl_sdn = set()
    for e in parsed["us-csl"].entities:
        number = (e.link_key or "").removeprefix("ofac:")
        if e.link_key and number in sdn:
            csl_sdn.add((("us-csl", e.external_id), ("us-ofac-sdn", number)))
    numbers: dict[str, dict[tuple, set[str]]] = {}
    for dataset in ("un-sc", "us-ofac-sdn"):
        held: dict[tuple, set[str]] = defaultdict(set)
        for e in parsed[dataset].entities:
            if e.schema != "Person":
                continue
            nationality = e.countries[0] if len(e.countries) == 1 else None
            for i in e.identifiers:
                kind = NUMBER_SCHEMES.get(i.scheme)
                plain = _plain(re.sub(r"\([^)]*\)|\d{4}-\d{2}-\d{2}", " ", i.value))
                country = i.country or nationality  # the UN writes a passport without its country
                if kind and country and len(plain) >= 5:
                    held[(kind, country.lower(), plain)].add(e.external_id)
        numbers[dataset] = held
    un_sdn = set()
    for key, un_ids in numbers["un-sc"].items():
        sdn_ids = numbers["us-ofac-sdn"].get(key, set())
        if len(un_ids) == 1 and len(sdn_ids) == 1:
            un_sdn.add((("un-sc", next(iter(un_ids))), ("us-ofac-sdn", next(iter(sdn_ids)))))
    return {"csl_sdn_by_entity_number": csl_sdn, "un_sdn_by_document_number": un_sdn}


def import_all(url: str, *, merge_by_keys: bool) -> dict:
    upgrade(url)
    original = identity.reconcile
    if not merge_by_keys:
        identity.reconcile = lambda *args, **kwargs: []
    timings = {}
    try:
        for dataset, path, fmt in LISTS:
            start = time.perf_counter()
            with new_session(url) as session, session.begin():
                service.import_list(session, path, fmt=fmt, dataset=dataset)
            timings[dataset] = round(time.perf_counter() - start, 2)
    finally:
        identity.reconcile = original
    return timings


def party_map(session) -> dict[tuple, str]:
    rows = session.execute(select(ListEntry.dataset, ListEntry.external_id, ListEntry.party_id))
    return {(d, e): p for d, e, p in rows}


def deterministic(url: str, truth: dict) -> dict:
    timings = import_all(url, merge_by_keys=True)
    with new_session(url) as session:
        parties = party_map(session)
        found = {
            kind: sum(1 for a, b in pairs if parties.get(a) and parties.get(a) == parties.get(b))
            for kind, pairs in truth.items()
        }
        groups = identity.key_groups(session)
        merges = session.scalars(select(PartyMerge)).all()
        return {
            "import_seconds": timings,
            "truth_pairs": {k: len(v) for k, v in truth.items()},
            "found_as_one_party": found,
            "recall": {k: round(found[k] / len(v), 4) if v else None for k, v in truth.items()},
            "merges_at_import": len(merges),
            "merges_by_key_kind": _kinds(m.key for m in merges),
            "keys_shared_by_two_parties": len(identity.shared_keys(session)),
            "ambiguous_keys": sum(1 for g in groups if g.ambiguous),
            "candidates_left": {
                str(t): len(identity_score.candidates(session, ANALYST, min_score=t, limit=None)) for t in (0.8, 0.9)
            },
        }


def _kinds(keys) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for key in keys:
        out[":".join((key or "?").split(":")[:-2] or (key or "?").split(":")[:1])] += 1
    return dict(sorted(out.items()))


def scorer(url: str, truth: dict) -> dict:
    import_all(url, merge_by_keys=False)
    with new_session(url) as session:
        parties = party_map(session)
        positives = {
            tuple(sorted((parties[a], parties[b])))
            for a, b in truth["un_sdn_by_document_number"]
            if a in parties and b in parties and parties[a] != parties[b]
        }
        known = {p for pair in positives for p in pair}
        profiles = identity_score.load_profiles(session, ANALYST)
        for profile in profiles.values():
            profile.identifiers = set()  # the truth pairs share one by construction: not a fair feature
        start = time.perf_counter()
        found = identity_score.candidates(session, ANALYST, min_score=min(THRESHOLDS), limit=None, profiles=profiles)
        seconds = time.perf_counter() - start
    rows = []
    for threshold in THRESHOLDS:
        above = [c for c in found if c.score >= threshold]
        pairs = {tuple(sorted((c.first, c.second))) for c in above}
        tp = len(pairs & positives)
        fp = sum(1 for p in pairs - positives if p[0] in known or p[1] in known)
        unlabelled = len(pairs) - tp - fp
        rows.append({
            "threshold": threshold,
            "candidates": len(pairs),
            "true_positives": tp,
            "false_positives": fp,
            "unlabelled": unlabelled,
            "precision": round(tp / (tp + fp), 4) if tp + fp else None,
            "recall": round(tp / len(positives), 4) if positives else None,
        })  # fmt: skip
    return {"positives": len(positives), "seconds": round(seconds, 2), "thresholds": rows}


def main() -> int:
    start = time.perf_counter()
    parsed = {dataset: formats.parse(path, fmt) for dataset, path, fmt in LISTS}
    truth = truth_pairs(parsed)
    del parsed
    work = Path(tempfile.mkdtemp(prefix="gp-identity-"))
    result = {
        "lists": {d: str(p.relative_to(DATA)) for d, p, _ in LISTS},
        "deterministic": deterministic(f"sqlite:///{work / 'merged.db'}", truth),
        "scorer_without_identifiers": scorer(f"sqlite:///{work / 'unmerged.db'}", truth),
    }
    result["seconds"] = round(time.perf_counter() - start, 1)
    det, sc = result["deterministic"], result["scorer_without_identifiers"]
    print("Cross-list identity (SDN 2021, UN 2026, CSL 2022)")
    for kind, total in det["truth_pairs"].items():
        print(f"  {kind}: {det['found_as_one_party'][kind]}/{total} found as one party ({det['recall'][kind]})")
    print(f"  merges at import: {det['merges_at_import']} {det['merges_by_key_kind']}")
    print(f"  keys shared by two parties: {det['keys_shared_by_two_parties']} (target 0); "
          f"ambiguous keys left alone: {det['ambiguous_keys']}")  # fmt: skip
    print(f"  candidates left for analysts: {det['candidates_left']}")
    print(f"Candidate scorer, identifiers off, {sc['positives']} UN-SDN truth pairs ({sc['seconds']} s):")
    print("  threshold  candidates  TP   FP  unlabelled  precision  recall")
    for r in sc["thresholds"]:
        print(f"  {r['threshold']:>9}  {r['candidates']:>10}  {r['true_positives']:>3}  {r['false_positives']:>3}  "
              f"{r['unlabelled']:>10}  {r['precision']!s:>9}  {r['recall']!s:>6}")  # fmt: skip
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "identity.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {out / 'identity.json'} in {result['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
