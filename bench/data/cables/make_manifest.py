"""Builds manifest.json (the truth of the evaluation set) from the copies' own markup, plus hand corrections.

    .venv/bin/python bench/data/cables/make_manifest.py

Truth, per field, independent of the parser under test:
- reference_id: the copy's header table (first line of a cablegate text copy, ``alx/``) or the cable id the
  source dataset filed the telegram under (``pm/``, the file name).
- classification: the header table's Classification cell, its level (``alx/``); read by hand from the banner
  (``pm/``, listed in CLASSIFICATION below).
- created: the header table's Created cell (``alx/``), as printed in the copy's local time; raw telegrams
  (``pm/``) carry no Created field: null, not scored.
- tags: the TAGS line's codes, read with a plain split on blanks and commas (checked by hand); null where the
  copy has no TAGS line.
- paragraphs: the numbers the cablegate page marked with its paragraph sign (``¶1.`` at a line start), with the
  hand corrections in PARAGRAPHS (the page's converter also put the sign before a wrapped line that starts
  with a number, e.g. "July\\n¶24.").
- refused: true for a record with no telegram text at all (the parser must refuse it).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = {
    "alx": {"repo": "alx/cablegate", "path": "cables/{id}.txt"},
    "pm": {"repo": "paul-mathieu/cablegate-cia-analysis", "path": "data-sample/cablegate-converted/{id}.txt",
           "commit": "89ea4570319c29df5f2b105384ff9e7eb408f2f9"},
}  # fmt: skip
ALX_COMMITS = {
    "00HARARE2271": "e36402ef7ec750b98ccf8aa01b0fbf4e9aca53d2",
    "00HOCHIMINHCITY838": "4fbbdae122af7afb92e58b96115e012c8825ca07",
    "01CAIRO5770": "5ebe7f12eacc70fc9b874c98d27d11ccc6d5258b",
    "01DOHA1093": "5ebe7f12eacc70fc9b874c98d27d11ccc6d5258b",
    "01HANOI3294": "799abaaa88e5017cadd881d10b457b74330a9570",
    "01HAVANA4690": "799abaaa88e5017cadd881d10b457b74330a9570",
    "01STATE176819": "97ade0a4bdcbd710a51af1c855fbe0bb109b8a4a",
    "01VATICAN4075": "799abaaa88e5017cadd881d10b457b74330a9570",
    "01VATICAN5693": "3e7ed8232be5bc2818b7ebb1870b8179cb80f683",
    "02ADANA398": "799abaaa88e5017cadd881d10b457b74330a9570",
    "02AMMAN2221": "799abaaa88e5017cadd881d10b457b74330a9570",
    "02ANKARA7757": "799abaaa88e5017cadd881d10b457b74330a9570",
    "02ANKARA8150": "799abaaa88e5017cadd881d10b457b74330a9570",
    "02ANKARA8253": "799abaaa88e5017cadd881d10b457b74330a9570",
    "02BOGOTA1025": "94c4a86e4bb5b60b74933376f5f70c628b8a34f2",
    "02FRANKFURT10188": "799abaaa88e5017cadd881d10b457b74330a9570",
    "02AMMAN2793": "e36402ef7ec750b98ccf8aa01b0fbf4e9aca53d2",
    "02ANKARA8440": "799abaaa88e5017cadd881d10b457b74330a9570",
    "02BOGOTA3281": "b3e0663d812b0cf3808fd30d9373fc444439f3b4",
    "02FRANKFURT11824": "799abaaa88e5017cadd881d10b457b74330a9570",
    "02HARARE1051": "e36402ef7ec750b98ccf8aa01b0fbf4e9aca53d2",
    "02ADANA420": "799abaaa88e5017cadd881d10b457b74330a9570",
    "01VATICAN4425": "e36402ef7ec750b98ccf8aa01b0fbf4e9aca53d2",
    "02ANKARA8852": "712ff34fd608dcc73d59b77af17550eff1f9a416",
    "00HARARE2339": "e36402ef7ec750b98ccf8aa01b0fbf4e9aca53d2",
    "02ANKARA8797": "799abaaa88e5017cadd881d10b457b74330a9570",
    "02ADANA427": "799abaaa88e5017cadd881d10b457b74330a9570",
    "01HARARE3047": "e36402ef7ec750b98ccf8aa01b0fbf4e9aca53d2",
    "02ANKARA8231": "799abaaa88e5017cadd881d10b457b74330a9570",
    "01HARARE587": "e36402ef7ec750b98ccf8aa01b0fbf4e9aca53d2",
    "02ANKARA8599": "799abaaa88e5017cadd881d10b457b74330a9570",
    "02HARARE136": "e36402ef7ec750b98ccf8aa01b0fbf4e9aca53d2",
    "01HARARE2505": "e36402ef7ec750b98ccf8aa01b0fbf4e9aca53d2",
    "02ADANA391": "799abaaa88e5017cadd881d10b457b74330a9570",
    "02ANKARA8356": "799abaaa88e5017cadd881d10b457b74330a9570",
    "02ANKARA8867": "799abaaa88e5017cadd881d10b457b74330a9570",
    "00HARARE4887": "e36402ef7ec750b98ccf8aa01b0fbf4e9aca53d2",
    "01HARARE829": "e36402ef7ec750b98ccf8aa01b0fbf4e9aca53d2",
    "02ADANA400": "799abaaa88e5017cadd881d10b457b74330a9570",
    "02ANKARA8879": "799abaaa88e5017cadd881d10b457b74330a9570",
    "00HARARE2763": "e36402ef7ec750b98ccf8aa01b0fbf4e9aca53d2",
    "01HARARE2701": "e36402ef7ec750b98ccf8aa01b0fbf4e9aca53d2",
    "02ADANA402": "799abaaa88e5017cadd881d10b457b74330a9570",
    "02ANKARA8523": "799abaaa88e5017cadd881d10b457b74330a9570",
    "00HARARE7068": "e36402ef7ec750b98ccf8aa01b0fbf4e9aca53d2",
    "01HARARE2710": "e36402ef7ec750b98ccf8aa01b0fbf4e9aca53d2",
    "02ADANA393": "799abaaa88e5017cadd881d10b457b74330a9570",
    "02ANKARA8845": "799abaaa88e5017cadd881d10b457b74330a9570",
    "01HARARE3235": "e36402ef7ec750b98ccf8aa01b0fbf4e9aca53d2",
    "02ADANA413": "799abaaa88e5017cadd881d10b457b74330a9570",
    "02ANKARA8870": "799abaaa88e5017cadd881d10b457b74330a9570",
    "02HARARE1071": "e36402ef7ec750b98ccf8aa01b0fbf4e9aca53d2",
    "01HARARE3253": "e36402ef7ec750b98ccf8aa01b0fbf4e9aca53d2",
    "02ADANA421": "799abaaa88e5017cadd881d10b457b74330a9570",
    "02ANKARA8957": "799abaaa88e5017cadd881d10b457b74330a9570",
    "02HARARE1139": "e36402ef7ec750b98ccf8aa01b0fbf4e9aca53d2",
}
# Copies shortened here (the omitted text is marked in SOURCES.md); the truth covers the kept text.
EXCERPTS = {
    "00HARARE2271",
    "00HOCHIMINHCITY838",
    "01CAIRO5770",
    "01HAVANA4690",
    "02BOGOTA1025",
    "02ANKARA8852",
    "01HARARE3047",
}
# Used to build and tune the rules (read while developing); the rest is held out.
TUNE = {
    "00HARARE2271", "00HOCHIMINHCITY838", "01DOHA1093", "01HAVANA4690", "02AMMAN2221", "02ANKARA8150",
    "02BOGOTA1025", "06NEWDELHI5135", "06NEWDELHI5138", "06NEWDELHI5237", "06NEWDELHI5238", "06NEWDELHI5239",
    "06NEWDELHI5266", "09UNVIEVIENNA285", "09USEUBRUSSELS948",
    # Held out until its tags were read wrong (a page break between its E.O. and TAGS lines); the rule was
    # then fixed on it, so it counts with the cables read while writing the rules.
    "00HARARE2763",
    # Read wrongly once stored cut after its paragraph 2 (its table of contents then outweighed the two kept
    # paragraphs); stored again with paragraphs 1-6 and its NATO items 2-4 left out; seen, so not held out.
    "02ANKARA8870",
}  # fmt: skip
# Read by hand from each raw telegram's banner.
CLASSIFICATION = {
    "06NEWDELHI5135": "CONFIDENTIAL", "06NEWDELHI5138": "CONFIDENTIAL", "06NEWDELHI5237": "CONFIDENTIAL",
    "06NEWDELHI5238": "CONFIDENTIAL", "06NEWDELHI5239": "CONFIDENTIAL", "06NEWDELHI5266": "CONFIDENTIAL",
    "07BOGOTA1165": "UNCLASSIFIED", "07BOGOTA1232": "CONFIDENTIAL", "07BOGOTA1339": "UNCLASSIFIED",
    "07KINGSTON382": "UNCLASSIFIED", "07KINGSTON482": "UNCLASSIFIED", "07KUALALUMPUR1376": "UNCLASSIFIED",
    "07KUALALUMPUR1403": "UNCLASSIFIED", "07KUALALUMPUR1446": "CONFIDENTIAL", "09PARIS1007": "CONFIDENTIAL",
    "09PARIS1040": "CONFIDENTIAL", "09PARIS1052": "UNCLASSIFIED", "09PARIS997": "CONFIDENTIAL",
    "09UNVIEVIENNA279": "UNCLASSIFIED", "09UNVIEVIENNA281": "UNCLASSIFIED", "09UNVIEVIENNA285": "UNCLASSIFIED",
    "09UNVIEVIENNA289": "SECRET", "09USEUBRUSSELS1177": "UNCLASSIFIED", "09USEUBRUSSELS948": "UNCLASSIFIED",
}  # fmt: skip
PARAGRAPHS = {
    # "on July\n¶24.  Khobargade stated": the page's converter marked a wrapped date as a paragraph.
    "06NEWDELHI5237": [1, 2, 3, 4, 5, 6],
    # The page marked a table of contents ("¶1. Legal issues ... ¶6. Update on NATO ...") before the
    # paragraphs themselves: the contents are the lead's list, the paragraphs 1 to 6.
    "02ANKARA8870": [1, 2, 3, 4, 5, 6],
}
_PILCROW = re.compile(r"(?m)^[ \t]*¶\s?(\d{1,3})\.")
_TAGS = re.compile(r"(?m)^TAGS:?\s*(.+)$|\bTAGS:\s*(.+)$")
_BANNER_WORDS = ("UNCLASSIFIED", "CONFIDENTIAL", "SECRET")


def _text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def _created(printed: str) -> str:
    stamp = re.sub(r" [+-]\d{4} ", " ", printed)  # "Wed Nov 13 00:00:00 +0100 2002": local time as printed
    return datetime.strptime(stamp, "%a %b %d %H:%M:%S %Y").isoformat()


def _tags(text: str) -> list[str] | None:
    """The TAGS line's codes and those of its continuation lines (up to a blank line or the next label)."""
    match = _TAGS.search(text)
    if not match:
        return None
    parts = [(match.group(1) or match.group(2)).strip()]
    for line in text[match.end() :].split("\n")[1:]:
        if not line.strip() or re.match(r"\s*(?:SUBJ|REF|Classified|CLASSIFIED|E\.O\.)", line):
            break
        parts.append(line.strip())
    return [tag for tag in re.split(r"[\s,]+", " ".join(parts)) if tag]


def main() -> None:
    entries = []
    for folder in ("alx", "pm"):
        for path in sorted((HERE / folder).glob("*.txt")):
            ident = path.stem
            text = _text(path)
            lines = text.split("\n")
            source = dict(SOURCES[folder])
            source["path"] = source["path"].format(id=ident)
            if folder == "alx":
                source["commit"] = ALX_COMMITS[ident]
                reference_id, created = lines[0].strip(), _created(lines[2].strip())
                classification = lines[3].strip().split("//")[0]
                body = "\n".join(lines[5:])
            else:
                reference_id, created, classification, body = ident, None, CLASSIFICATION[ident], text
            refused = not body.strip()
            entry = {
                "file": f"{folder}/{path.name}",
                "split": "tune" if ident in TUNE else "heldout",
                "reference_id": reference_id,
                "classification": classification,
                "created": created,
                "tags": None if refused else _tags(body),
                "paragraphs": PARAGRAPHS.get(ident) or [int(n) for n in _PILCROW.findall(body)],
                "refused": refused,
                "excerpt": ident in EXCERPTS,
                "source": source,
            }
            entries.append(entry)
    out = HERE / "manifest.json"
    out.write_text(json.dumps({"cables": entries}, indent=1, ensure_ascii=False) + "\n")
    for entry in entries:
        print(entry["split"], entry["reference_id"], entry["classification"], entry["created"], entry["tags"],
              entry["paragraphs"], "REFUSED" if entry["refused"] else "")  # fmt: skip


if __name__ == "__main__":
    main()
